"""OpenTelemetry traces across the router and a real subgraph (W3C traceparent), recorded by the
SDK's in-memory exporter; tracing off installs nothing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from router.app import create_app
from router.config import RouterConfig
from router.edge import TelemetryConfig
from router.pipeline import Router, stage_document
from subgraphs.kit.logs import configure_tracing
from tests.router.servers import serve_asgi
from tests.support.stack import SubgraphStack

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
INCOMING_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
INCOMING_PARENT = "00f067aa0ba902b7"


@pytest.fixture
def provider() -> Iterator[TracerProvider]:
    """One SDK provider for the router and the running subgraphs (the kit's middleware)."""
    provider = TracerProvider()
    configure_tracing("subgraphs", provider)
    try:
        yield provider
    finally:
        configure_tracing("subgraphs", None)  # tests run without OTEL_* variables: off again
        provider.shutdown()


async def _with_subgraph_span(exporter: InMemorySpanExporter) -> tuple[ReadableSpan, ...]:
    """The spans so far, once the subgraph's has ended too: its thread closes it after the
    response is sent, so it may come a moment after the router's."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        spans = exporter.get_finished_spans()
        if "POST /graphql" in _by_name(spans):
            return spans
        await asyncio.sleep(0.01)
    return exporter.get_finished_spans()


def _by_name(spans: tuple[ReadableSpan, ...]) -> dict[str, ReadableSpan]:
    return {span.name: span for span in spans}


@pytest.mark.asyncio(loop_scope="session")
async def test_one_trace_across_router_and_subgraph(
    stack: SubgraphStack, provider: TracerProvider
) -> None:
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    config = RouterConfig(
        subgraph_urls={name: stack.url(name) for name in stack.ports},
        telemetry=TelemetryConfig(tracer_provider=provider),
    )
    app = create_app(SUPERGRAPH.read_text(), config)
    query = {"query": "query Specialties { specialties { name } }"}
    try:
        async with serve_asgi(app) as base, httpx.AsyncClient(timeout=30) as http:
            fresh = await http.post(f"{base}/graphql", json=query)
            assert fresh.json()["data"]["specialties"]
            spans = await _with_subgraph_span(exporter)
            exporter.clear()
            traceparent = f"00-{INCOMING_TRACE}-{INCOMING_PARENT}-01"
            continued = await http.post(
                f"{base}/graphql", json=query, headers={"traceparent": traceparent}
            )
            assert continued.status_code == 200
            continued_spans = await _with_subgraph_span(exporter)
    finally:
        await app.router.close()

    named = _by_name(spans)
    request = named["query Specialties"]
    fetch = named["fetch doctors"]
    subgraph = named["POST /graphql"]
    assert request.kind is SpanKind.SERVER
    assert request.parent is None  # nothing incoming: the router starts the trace
    assert request.attributes is not None
    assert request.attributes["graphql.operation.name"] == "Specialties"
    assert request.attributes["http.response.status_code"] == 200
    trace_id = request.context.trace_id
    assert {span.context.trace_id for span in spans} == {trace_id}
    # parse/validate, plan and execute under the request; the fetch under execute; the
    # subgraph's server span under the fetch (it came as `traceparent`).
    for child in ("parse_validate", "plan", "execute"):
        assert named[child].parent is not None
        assert named[child].parent.span_id == request.context.span_id
    assert fetch.kind is SpanKind.CLIENT
    assert fetch.parent is not None
    assert fetch.parent.span_id == named["execute"].context.span_id
    assert subgraph.kind is SpanKind.SERVER
    assert subgraph.parent is not None
    assert subgraph.parent.span_id == fetch.context.span_id
    assert subgraph.parent.is_remote

    # An incoming traceparent is continued: same trace id, the client's span as parent.
    named = _by_name(continued_spans)
    request = named["query Specialties"]
    assert request.parent is not None
    assert format(request.parent.span_id, "016x") == INCOMING_PARENT
    assert {format(s.context.trace_id, "032x") for s in continued_spans} == {INCOMING_TRACE}
    assert "POST /graphql" in named


def test_tracing_off_installs_nothing() -> None:
    router = Router(SUPERGRAPH.read_text(), RouterConfig())
    assert router.edge.tracing is None
    assert stage_document in router.stages  # the stage itself, not a traced wrapper
