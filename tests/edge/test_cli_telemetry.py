"""`python -m router` as deployed: OTLP/HTTP export when OTEL_EXPORTER_OTLP_ENDPOINT is set, and
the JSON request line on stderr carrying the same trace id."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.router.servers import Receive, Scope, Send, free_port, serve_asgi
from tests.support.gateway_process import launch

REPO = Path(__file__).resolve().parents[2]
SUPERGRAPH = REPO / "schema" / "supergraph.graphql"
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"


def collector(exports: list[ExportTraceServiceRequest], arrived: asyncio.Event) -> Any:
    """A minimal OTLP/HTTP trace receiver (protobuf bodies at /v1/traces)."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["path"] == "/v1/traces":
            exports.append(ExportTraceServiceRequest.FromString(body))
            arrived.set()
        headers = [(b"content-type", b"application/x-protobuf"), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    return app


@pytest.mark.asyncio(loop_scope="session")
async def test_router_exports_spans_and_logs_the_trace_id() -> None:
    exports: list[ExportTraceServiceRequest] = []
    arrived = asyncio.Event()

    async def request_span_exported() -> None:
        # Spans come in batches; the request's own span ends last.
        while not any("Ping" in str(e) for e in exports):
            await arrived.wait()
            arrived.clear()

    async with serve_asgi(collector(exports, arrived)) as endpoint:
        argv = [sys.executable, "-m", "router", "--supergraph", str(SUPERGRAPH)]
        argv += ["--port", str(free_port()), "--reload-interval", "0"]
        env = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "100",  # ms between batches: export promptly
            "PYTHONUNBUFFERED": "1",
        }
        launching = launch(
            "router",
            argv,
            ready=r"router listening on (?P<url>http://\S+/graphql)",
            cwd=REPO,
            env=env,
        )
        router = await asyncio.to_thread(launching.wait, 60)
        try:
            async with httpx.AsyncClient(timeout=30) as http:
                response = await http.post(
                    router.url,
                    json={"query": "query Ping { __typename }"},
                    headers={
                        "traceparent": f"00-{TRACE_ID}-b7ad6b7169203331-01",
                        "apollographql-client-name": "otel-test",
                    },
                )
            assert response.json() == {"data": {"__typename": "Query"}}
            await asyncio.wait_for(request_span_exported(), 30)
        finally:
            router.stop()
        log = router.log()
    spans = [
        (span, resource.resource)
        for export in exports
        for resource in export.resource_spans
        for scope_spans in resource.scope_spans
        for span in scope_spans.spans
    ]
    names = {span.name for span, _ in spans}
    assert {"query Ping", "parse_validate", "plan", "execute"} <= names
    assert {span.trace_id.hex() for span, _ in spans} == {TRACE_ID}
    service = {
        attribute.value.string_value
        for _, resource in spans
        for attribute in resource.attributes
        if attribute.key == "service.name"
    }
    assert service == {"router"}
    lines = [json.loads(line) for line in log.splitlines() if '"router.requests"' in line]
    assert len(lines) == 1
    assert lines[0]["trace_id"] == TRACE_ID
    assert lines[0]["operation_name"] == "Ping"
    assert lines[0]["client_name"] == "otel-test"
