"""ASGI middleware: request id in and out, the trace continued from the router's `traceparent`
(a server span, when tracing is configured), one structured log line per request."""

from __future__ import annotations

import logging
import time
import uuid

from opentelemetry.trace import SpanKind, get_current_span
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from subgraphs.kit.logs import REQUEST_ID, TRACING

__all__ = ["REQUEST_ID_HEADER", "RequestIdMiddleware"]

REQUEST_ID_HEADER = "x-request-id"
_log = logging.getLogger("predicthealth.http")
_PROPAGATOR = TraceContextTextMapPropagator()
_CARRIED = (b"traceparent", b"tracestate")


def _valid(value: str) -> bool:
    # Only accept short printable ids from outside, so logs cannot be poisoned.
    return 0 < len(value) <= 128 and value.isascii() and value.isprintable()


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = ""
        carrier: dict[str, str] = {}
        for key, value in scope["headers"]:
            if key == b"x-request-id":
                incoming = value.decode("latin-1")
            elif key in _CARRIED:
                carrier[key.decode()] = value.decode("latin-1")
        request_id = incoming if _valid(incoming) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        try:
            tracer = TRACING.tracer
            if tracer is None:
                # Not tracing: the log line still names the router's trace.
                parent = get_current_span(_PROPAGATOR.extract(carrier)) if carrier else None
                context = parent.get_span_context() if parent is not None else None
                trace_id = (
                    format(context.trace_id, "032x") if context and context.is_valid else None
                )
                await self._serve(scope, receive, send, request_id, trace_id)
                return
            with tracer.start_as_current_span(
                f"{scope['method']} {scope['path']}",
                context=_PROPAGATOR.extract(carrier),
                kind=SpanKind.SERVER,
                attributes={"http.request.method": scope["method"], "url.path": scope["path"]},
            ):
                await self._serve(scope, receive, send, request_id, None)
        finally:
            REQUEST_ID.reset(token)

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, request_id: str, trace_id: str | None
    ) -> None:
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if trace_id is None and TRACING.tracer is not None:
                get_current_span().set_attribute("http.response.status_code", status)
            if scope["path"] != "/health":
                extra: dict[str, object] = {
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                }
                if trace_id is not None:
                    extra["trace_id"] = trace_id
                _log.info("request", extra=extra)
