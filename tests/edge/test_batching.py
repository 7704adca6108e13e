"""Batching: several operations in one POST (JSON array), off by default, bounded, each operation
limited and answered on its own, results in order."""

from __future__ import annotations

import httpx
import pytest

from router.config import RouterConfig
from router.edge import HttpConfig, LimitsConfig, RateLimitConfig
from tests.edge.conftest import serve_edge

pytestmark = pytest.mark.asyncio(loop_scope="session")

BATCH = [
    {"query": 'query One { doctor(id: "1") { name } }', "operationName": "One"},
    {
        "query": "query Two($id: ID!) { doctor(id: $id) { name patients } }",
        "variables": {"id": "2"},
    },
    {"query": "{ doctors { nope } }"},
]


async def test_off_by_default() -> None:
    async with serve_edge(RouterConfig()) as edge, httpx.AsyncClient() as http:
        response = await http.post(edge.url, json=BATCH)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BATCHING_NOT_ENABLED"
    assert not edge.behaviours["doctors"].seen_bodies


async def test_results_in_order_each_operation_on_its_own() -> None:
    config = RouterConfig(
        http=HttpConfig(batching=True, max_batch_size=3), limits=LimitsConfig(max_aliases=1)
    )
    async with serve_edge(config) as edge, httpx.AsyncClient() as http:
        response = await http.post(edge.url, json=BATCH)
        assert response.status_code == 200
        assert "retry-after" not in response.headers
        one, two, invalid = response.json()
        assert one == {"data": {"doctor": {"name": "doctor 1"}}}
        assert two == {"data": {"doctor": {"name": "doctor 2", "patients": 20}}}
        assert invalid["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "data" not in invalid
        # Limits apply per operation: only the item over the alias limit fails.
        limited = await http.post(
            edge.url,
            json=[
                {"query": "{ a: doctors { id } b: doctors { id } }"},
                {"query": "{ doctors(first: 1) { id } }"},
            ],
        )
        first, second = limited.json()
        assert first["errors"][0]["extensions"]["code"] == "MAX_ALIASES_EXCEEDED"
        assert second == {"data": {"doctors": [{"id": "1"}]}}
        too_many = await http.post(edge.url, json=[*BATCH, BATCH[0]])
        assert too_many.status_code == 400
        assert too_many.json()["errors"][0]["extensions"]["code"] == "BATCH_LIMIT_EXCEEDED"
        empty = await http.post(edge.url, json=[])
        assert empty.json()["errors"][0]["extensions"]["code"] == "BATCH_LIMIT_EXCEEDED"
        not_objects = await http.post(edge.url, json=[BATCH[0], 3])
        assert not_objects.status_code == 400
        assert not_objects.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_each_operation_counts_against_the_rate_limit() -> None:
    # In-process counters (no Redis URL): this router's own.
    config = RouterConfig(
        http=HttpConfig(batching=True), rate_limit=RateLimitConfig(requests=2, window_seconds=60)
    )
    async with serve_edge(config) as edge, httpx.AsyncClient() as http:
        response = await http.post(edge.url, json=[BATCH[0]] * 3)
    codes = [
        (r.get("errors") or [{}])[0].get("extensions", {}).get("code") for r in response.json()
    ]
    assert sorted(codes, key=str) == sorted([None, None, "RATE_LIMITED"], key=str)
    # The batch answers 200; the limited item's wait is the response's Retry-After.
    assert response.status_code == 200
    limited = next(r for r in response.json() if r.get("errors"))
    retry_after = limited["errors"][0]["extensions"]["retryAfter"]
    assert response.headers["retry-after"] == str(retry_after)
