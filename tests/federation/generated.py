"""Draw a reproducible batch of operations for a scenario from its API schema (hypothesis-graphql)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from graphql import GraphQLSchema, build_client_schema, get_introspection_query
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis_graphql import Mode, from_schema

__all__ = ["api_schema", "draw_operations"]


def api_schema(client: httpx.Client, url: str) -> GraphQLSchema:
    """The API schema a gateway exposes (join/federation machinery and @inaccessible removed)."""
    response = client.post(url, json={"query": get_introspection_query()})
    response.raise_for_status()
    return build_client_schema(response.json()["data"])


def draw_operations(
    schema: GraphQLSchema,
    *,
    count: int,
    fields: tuple[str, ...] | None = None,
    custom_scalars: Mapping[str, Any] | None = None,
    mode: Mode = Mode.POSITIVE,
) -> list[str]:
    """`count` draws (deduplicated, in draw order); derandomized, so the same every run.

    `Mode.NEGATIVE` draws operations with exactly one schema violation (wrong argument type,
    missing required argument, unknown enum value, ...), which both gateways must reject alike.
    """
    drawn: list[str] = []
    strategy = from_schema(
        schema, fields=fields, custom_scalars=dict(custom_scalars or {}), mode=mode
    )

    # Only the generate phase: this collects operations, it does not test anything itself.
    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(operation: str) -> None:
        drawn.append(operation)

    collect()
    return list(dict.fromkeys(drawn))
