"""`/metrics` content (requests, errors by code, latency per operation and subgraph, plan cache,
APQ) and `/ready` (every subgraph reachable)."""

from __future__ import annotations

import httpx
import pytest

from router.config import RouterConfig
from router.edge import LimitsConfig, PersistedQueryConfig, sha256_hex
from router.edge.request_log import RequestRecord
from tests.edge.conftest import serve_edge

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_metrics_and_ready() -> None:
    config = RouterConfig(persisted_queries=PersistedQueryConfig(manifests=()))
    query = "query Doctors { doctors(first: 2) { id patients } }"
    async with serve_edge(config) as edge, httpx.AsyncClient() as http:
        base = edge.url.removesuffix("/graphql")
        ready = await http.get(f"{base}/ready")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "subgraphs": {"doctors": "ok", "stats": "ok"}}
        for _ in range(2):
            await http.post(edge.url, json={"query": query, "operationName": "Doctors"})
        await http.post(edge.url, json={"query": "{ doctors { nope } }"})
        pq = {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(query)}}
        await http.post(edge.url, json={"extensions": pq})
        metrics = (await http.get(f"{base}/metrics")).text
        assert 'router_requests_total{status="200"} 3.0' in metrics
        assert 'router_requests_total{status="400"} 1.0' in metrics
        assert 'router_errors_total{code="GRAPHQL_VALIDATION_FAILED"} 1.0' in metrics
        assert 'router_request_seconds_count{operation="Doctors"} 2.0' in metrics
        # Two queries plus the readiness probe.
        assert 'router_subgraph_request_seconds_count{outcome="ok",subgraph="stats"} 3.0' in metrics
        assert 'router_plan_cache_lookups_total{result="miss"} 1.0' in metrics
        assert 'router_plan_cache_lookups_total{result="hit"} 1.0' in metrics
        assert 'router_apq_lookups_total{result="miss"} 1.0' in metrics
        # A subgraph going away makes the router unready.
        edge.app.router.executor.urls["stats"] = "http://127.0.0.1:9/graphql"
        down = await http.get(f"{base}/ready")
        assert down.status_code == 503
        assert down.json()["subgraphs"]["stats"] != "ok"


async def test_circuit_breaker_fails_fast() -> None:
    config = RouterConfig(limits=LimitsConfig(breaker_threshold=2, breaker_cooldown=30))
    async with serve_edge(config) as edge, httpx.AsyncClient() as http:
        edge.app.router.executor.urls["stats"] = "http://127.0.0.1:9/graphql"
        query = {"query": "{ doctors(first: 1) { id patients } }"}
        for _ in range(2):
            failed = await http.post(edge.url, json=query)
            assert (
                "ECONNREFUSED" in failed.json()["errors"][0]["message"] or failed.json()["errors"]
            )
        fast = await http.post(edge.url, json=query)
        body = fast.json()
        assert "circuit open" in body["errors"][0]["message"]
        assert body["data"] == {"doctors": [{"id": "1", "patients": None}]}


async def test_operation_names_cannot_grow_the_metrics_without_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from router.edge import observability

    monkeypatch.setattr(observability, "MAX_OPERATION_LABELS", 2)
    async with serve_edge(RouterConfig()) as edge, httpx.AsyncClient() as http:
        for name in ("A", "B", "C", "D", "A"):
            query = f"query {name} {{ doctors(first: 1) {{ id }} }}"
            await http.post(edge.url, json={"query": query, "operationName": name})
        metrics = (await http.get(edge.url.removesuffix("/graphql") + "/metrics")).text
        assert 'router_request_seconds_count{operation="A"} 2.0' in metrics
        assert 'router_request_seconds_count{operation="B"} 1.0' in metrics
        # Past the limit, new names share one series.
        assert 'router_request_seconds_count{operation="(other)"} 2.0' in metrics
        assert 'operation="C"' not in metrics


async def test_metric_updates_wait_for_the_answer_and_late_ones_apply_at_once() -> None:
    """Subgraph latency and plan-cache counts are held on the request's record until its answer
    is out (off the critical path); one arriving after that (a fetch outliving its cancelled
    request) applies at once instead of being lost."""
    applied: list[float] = []
    record = RequestRecord(request_id="r", method="POST")
    record.defer(applied.append, 0.5)
    assert applied == []
    record.finish()
    assert applied == [0.5]
    record.defer(applied.append, 0.25)
    assert applied == [0.5, 0.25]
