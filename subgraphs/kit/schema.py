"""Build a subgraph's federated Strawberry schema with the kit's error handling."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry.federation

from subgraphs.kit.graphql_errors import DomainErrors

__all__ = ["build_schema"]


def build_schema(
    *, query: type, mutation: type | None = None, types: Iterable[type] = ()
) -> strawberry.federation.Schema:
    extensions: list[Any] = [DomainErrors]
    return strawberry.federation.Schema(
        query=query,
        mutation=mutation,
        types=list(types),
        extensions=extensions,
    )
