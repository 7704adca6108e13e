"""The auth subgraph's ASGI app (port 8003)."""

from __future__ import annotations

from fastapi import FastAPI

from subgraphs.auth.loaders import Loaders
from subgraphs.auth.schema import schema
from subgraphs.kit.app import SubgraphDefinition, create_subgraph_app

__all__ = ["create_app", "definition"]

definition = SubgraphDefinition(name="auth", schema=schema, make_loaders=Loaders.create)


def create_app(**kwargs: object) -> FastAPI:
    return create_subgraph_app(definition, **kwargs)  # type: ignore[arg-type]
