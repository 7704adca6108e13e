"""Structured request logs (one JSON line per request, no query text/variables/data), request ids
propagated to subgraphs, X-Forwarded-For appended."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import orjson
import pytest

from router.config import RouterConfig
from router.edge import TelemetryConfig
from router.edge.request_log import SINK, trace_id_of
from tests.edge.conftest import serve_edge

asyncio = pytest.mark.asyncio(loop_scope="session")

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
SECRET = "Jane-Secret-Doe"


@contextmanager
def captured_log() -> Iterator[list[dict[str, Any]]]:
    """The router's request lines, exactly as written (`python -m router` writes to stderr)."""
    stream = io.BytesIO()
    previous, SINK.stream = SINK.stream, stream
    lines: list[dict[str, Any]] = []
    try:
        yield lines
    finally:
        SINK.stream = previous
        lines.extend(orjson.loads(line) for line in stream.getvalue().splitlines())


@asyncio
async def test_one_line_per_request_without_patient_data() -> None:
    query = "query Doctor($id: ID!) { doctor(id: $id) { id name patients } }"
    headers = {
        "apollographql-client-name": "analyst-portal",
        "apollographql-client-version": "2.1.0",
        "x-request-id": "req-42",
        "traceparent": TRACEPARENT,
    }
    with captured_log() as lines:
        async with serve_edge(RouterConfig()) as edge, httpx.AsyncClient() as http:
            ok = await http.post(
                edge.url,
                json={"query": query, "variables": {"id": "2"}, "operationName": "Doctor"},
                headers=headers,
            )
            assert ok.status_code == 200
            assert ok.json()["data"]["doctor"]["name"] == "doctor 2"
            assert ok.headers["x-request-id"] == "req-42"
            bad = await http.post(edge.url, json={"query": f'{{ doctor(id: "{SECRET}") {{ x }} }}'})
            mutation = await http.post(
                edge.url,
                json={"query": f'mutation {{ rename(id: "1", name: "{SECRET}") {{ id }} }}'},
            )
            assert mutation.status_code == 200
    # The request id went to both subgraphs.
    assert edge.behaviours["doctors"].seen_headers[0]["x-request-id"] == "req-42"
    assert edge.behaviours["stats"].seen_headers[0]["x-request-id"] == "req-42"

    assert len(lines) == 3
    first, invalid, renamed = lines
    assert first["logger"] == "router.requests"
    assert first["msg"] == "request"
    assert first["request_id"] == "req-42"
    assert first["operation_name"] == "Doctor"
    assert first["operation_type"] == "query"
    assert first["client_name"] == "analyst-portal"
    assert first["client_version"] == "2.1.0"
    assert first["status"] == 200
    assert first["duration_ms"] > 0
    assert first["error_codes"] == []
    assert first["subgraph_fetches"] == 2  # doctors, then stats for `patients`
    assert first["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"

    assert invalid["status"] == 400
    assert invalid["error_codes"] == ["GRAPHQL_VALIDATION_FAILED"]
    assert invalid["subgraph_fetches"] == 0
    assert invalid["trace_id"] is None
    # Generated ids are fresh per request and returned to the client.
    assert len(invalid["request_id"]) == 32
    assert invalid["request_id"] != renamed["request_id"]
    assert renamed["operation_type"] == "mutation"
    assert renamed["operation_name"] is None
    assert bad.headers["x-request-id"] == invalid["request_id"]

    # Never the document, variables or response data.
    text = repr(lines)
    for leaked in (SECRET, "doctor 2", "patients", '"id"', "query Doctor"):
        assert leaked not in text


@asyncio
async def test_client_address_appended_to_x_forwarded_for() -> None:
    query = {"query": "{ doctors(first: 1) { id } }"}
    async with serve_edge(RouterConfig()) as edge:
        # In-process, so the router sees exactly this peer address (no proxy-header rewriting).
        transport = httpx.ASGITransport(app=edge.app, client=("192.0.2.10", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://router") as http:
            await http.post("/graphql", json=query, headers={"x-forwarded-for": "203.0.113.9"})
            await http.post("/graphql", json=query)
    seen = edge.behaviours["doctors"].seen_headers
    assert [h["x-forwarded-for"] for h in seen] == ["203.0.113.9, 192.0.2.10", "192.0.2.10"]


@asyncio
async def test_rejections_before_the_pipeline_are_logged_too() -> None:
    with captured_log() as lines:
        async with serve_edge(RouterConfig()) as edge, httpx.AsyncClient() as http:
            csrf = await http.get(edge.url, params={"query": "{ doctors { id } }"})
            assert csrf.status_code == 400
    assert [(line["status"], line["error_codes"]) for line in lines] == [(400, ["CSRF_PREVENTION"])]


@asyncio
async def test_request_log_can_be_turned_off() -> None:
    config = RouterConfig(telemetry=TelemetryConfig(request_log=False))
    with captured_log() as lines:
        async with serve_edge(config) as edge, httpx.AsyncClient() as http:
            await http.post(edge.url, json={"query": "{ doctors { id } }"})
    assert lines == []


def test_trace_id_of_traceparent() -> None:
    assert trace_id_of(TRACEPARENT) == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert trace_id_of("00-00000000000000000000000000000000-00f067aa0ba902b7-01") is None
    assert trace_id_of("garbage") is None
    assert trace_id_of("00-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-00f067aa0ba902b7-01") is None
