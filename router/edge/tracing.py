"""OpenTelemetry tracing (W3C `traceparent`): a server span per request that continues the
client's trace, spans for parse/validate, planning and execution, and a client span per subgraph
fetch whose context the subgraph receives as `traceparent`.

Off unless `TelemetryConfig.tracer_provider` is set: then `install` wraps nothing and requests
pay nothing for tracing.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Awaitable, Mapping
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from router.asgi import App, Message, Receive, Scope, Send
from router.edge.request_log import CURRENT

if TYPE_CHECKING:
    from opentelemetry.trace import TracerProvider

    from router.context import RequestContext
    from router.pipeline import Router, Stage

__all__ = ["Tracing", "provider_from_env"]

Inner = App  # what a middleware wraps

_PROPAGATOR = TraceContextTextMapPropagator()
_CARRIED = (b"traceparent", b"tracestate")
# Stage (by function name) -> span name.
_STAGE_SPANS = {
    "stage_document": "parse_validate",
    "stage_plan": "plan",
    "stage_execute": "execute",
}


def provider_from_env(service: str) -> TracerProvider | None:
    """An SDK provider exporting OTLP over HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
    `…_TRACES_ENDPOINT`) is set and `OTEL_SDK_DISABLED` is not `true`; else None (tracing off).
    The exporter reads the standard OTEL_EXPORTER_OTLP_* variables (headers, timeout, …)."""
    env = os.environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    if not (
        env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    ):
        return None
    # Imported only when tracing is on: a process without it never loads the SDK.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    name = env.get("OTEL_SERVICE_NAME") or service
    provider = SdkTracerProvider(resource=Resource.create({"service.name": name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


class Tracing:
    """Spans for one `Router`; `install` instruments its stages and subgraph client."""

    def __init__(self, provider: TracerProvider) -> None:
        self.tracer = provider.get_tracer("router")

    def install(self, router: Router) -> None:
        router.stages[:] = [self._traced_stage(stage) for stage in router.stages]
        post = router.client.post
        tracer = self.tracer

        async def traced_post(
            service: str,
            url: str,
            body: Mapping[str, Any],
            headers: Mapping[str, str],
            seconds: float,
        ) -> dict[str, Any]:
            if not trace.get_current_span().is_recording():
                return await post(service, url, body, headers, seconds)  # e.g. /ready probes
            attributes = {"subgraph.name": service, "url.full": url}
            with tracer.start_as_current_span(
                f"fetch {service}", kind=SpanKind.CLIENT, attributes=attributes
            ):
                carrier = dict(headers)
                _PROPAGATOR.inject(carrier)  # this span becomes the subgraph's parent
                return await post(service, url, body, carrier, seconds)

        router.client.post = traced_post  # type: ignore[method-assign]

    def _traced_stage(self, stage: Stage) -> Stage:
        span_name = _STAGE_SPANS.get(stage.__name__)
        if span_name is None:
            return stage
        tracer = self.tracer

        # Like Router.handle, by what the stage returns (None, or an awaitable to wait on), not
        # by inspecting it: a plain stage's span ends at once, a waiting one's once awaited.
        @functools.wraps(stage)
        def traced(router: Router, ctx: RequestContext) -> Awaitable[None] | None:
            span = tracer.start_span(span_name)
            try:
                with trace.use_span(span):
                    waiting = stage(router, ctx)
            except BaseException:
                span.end()
                raise
            if waiting is None:
                span.end()
                return None
            return _awaited_in(span, waiting)

        return traced

    async def serve(self, scope: Scope, receive: Receive, send: Send, inner: Inner) -> None:
        """The request's server span, continuing an incoming `traceparent`."""
        carrier = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in scope.get("headers", ())
            if k in _CARRIED
        }
        parent = _PROPAGATOR.extract(carrier) if carrier else None
        method = scope.get("method", "GET")
        with self.tracer.start_as_current_span(
            f"{method} /graphql",
            context=parent,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope.get("path", "")},
        ) as span:
            record = CURRENT.get()
            if record is not None:
                record.trace_id = format(span.get_span_context().trace_id, "032x")

            async def observed(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_status(Status(StatusCode.ERROR))
                await send(message)

            try:
                await inner(scope, receive, observed)
            finally:
                if record is not None and len(record.operations) == 1:
                    name, kind = record.operations[0]
                    if name:
                        span.set_attribute("graphql.operation.name", name)
                    if kind:
                        span.set_attribute("graphql.operation.type", kind)
                        span.update_name(f"{kind} {name or ''}".strip())


async def _awaited_in(span: trace.Span, waiting: Awaitable[None]) -> None:
    with trace.use_span(span, end_on_exit=True):
        await waiting
