"""The patients subgraph's ASGI app (port 8004)."""

from __future__ import annotations

from fastapi import FastAPI

from subgraphs.kit.app import SubgraphDefinition, create_subgraph_app
from subgraphs.patients.loaders import Loaders
from subgraphs.patients.schema import schema

__all__ = ["create_app", "definition"]

definition = SubgraphDefinition(name="patients", schema=schema, make_loaders=Loaders.create)


def create_app(**kwargs: object) -> FastAPI:
    return create_subgraph_app(definition, **kwargs)  # type: ignore[arg-type]
