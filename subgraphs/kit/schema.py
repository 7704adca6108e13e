"""Build a subgraph's federated Strawberry schema with the kit's error handling."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry.federation

from subgraphs.kit.graphql_errors import DomainErrors

__all__ = ["SubgraphSchema", "build_schema"]


class SubgraphSchema(strawberry.federation.Schema):
    """Errors are logged once, by `DomainErrors`, and only the unexpected ones."""

    def process_errors(self, errors: Any, execution_context: Any = None) -> None:
        return None


def build_schema(
    *, query: type, mutation: type | None = None, types: Iterable[type] = ()
) -> strawberry.federation.Schema:
    extensions: list[Any] = [DomainErrors]
    return SubgraphSchema(
        query=query,
        mutation=mutation,
        types=list(types),
        extensions=extensions,
    )
