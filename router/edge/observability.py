"""`/metrics` (Prometheus), `/ready`, and per-request measurements: requests, errors by code,
latency per operation name and per subgraph, plan-cache and APQ hit counts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import orjson
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from router.asgi import App, Message, Receive, Scope, Send
from router.edge.http import request_headers
from router.edge.request_log import (
    CURRENT,
    REQUEST_ID_HEADER,
    RequestRecord,
    emit,
    request_id,
    trace_id_of,
)

if TYPE_CHECKING:
    from router.edge.persisted import PersistedQueries
    from router.pipeline import Router

__all__ = ["Observability"]

Inner = App  # what a middleware wraps

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_CONTENT_TYPE = b"text/plain; version=0.0.4; charset=utf-8"


class _ApqCollector(Collector):
    def __init__(self, persisted: PersistedQueries) -> None:
        self._persisted = persisted

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "router_apq_lookups", "APQ hash-only lookups by result", labels=["result"]
        )
        family.add_metric(["hit"], self._persisted.apq_hits)
        family.add_metric(["miss"], self._persisted.apq_misses)
        yield family


class _Children:
    """A labelled metric's children by label values. prometheus_client's `labels()` validates,
    converts and locks on every call (several per request); a dict lookup does not. Past `limit`
    distinct values, new ones count under `overflow`: label values clients choose (operation
    names) must not grow the registry without bound."""

    def __init__(self, metric: Any, limit: int = 0, overflow: tuple[str, ...] = ()) -> None:
        self.metric = metric
        self.limit = limit
        self.overflow = overflow
        self.children: dict[tuple[str, ...], Any] = {}

    def __call__(self, *values: str) -> Any:
        child = self.children.get(values)
        if child is None:
            if self.limit and len(self.children) >= self.limit:
                values = self.overflow
                child = self.children.get(values)
            if child is None:
                child = self.children[values] = self.metric.labels(*values)
        return child


#: Distinct operation names with their own latency series; later ones share `(other)`.
MAX_OPERATION_LABELS = 500


class Observability:
    """Owns a per-router Prometheus registry (several routers may live in one process)."""

    def __init__(self, router: Router, persisted: PersistedQueries) -> None:
        self.router = router
        self.request_log = router.config.telemetry.request_log
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "router_requests", "GraphQL requests by HTTP status", ["status"], registry=r
        )
        self.errors = Counter("router_errors", "GraphQL errors by code", ["code"], registry=r)
        self.latency = Histogram(
            "router_request_seconds",
            "Request latency by operation name",
            ["operation"],
            buckets=_BUCKETS,
            registry=r,
        )
        self.subgraph_latency = Histogram(
            "router_subgraph_request_seconds",
            "Subgraph request latency",
            ["subgraph", "outcome"],
            buckets=_BUCKETS,
            registry=r,
        )
        self.plan_cache = Counter(
            "router_plan_cache_lookups", "Query-plan cache lookups", ["result"], registry=r
        )
        r.register(_ApqCollector(persisted))
        self._requests = _Children(self.requests)
        self._latency = _Children(self.latency, MAX_OPERATION_LABELS, ("(other)",))
        self._subgraph_latency = _Children(self.subgraph_latency)
        self._plan_cache = _Children(self.plan_cache)
        self._instrument(router)

    def _instrument(self, router: Router) -> None:
        # Hook the client's per-request observer and wrap the planner's cache lookup, so the
        # executor and planner stay free of metrics code.
        plan_for = router.plan_for

        def fetched(service: str, answered: bool, elapsed: float) -> None:
            record = CURRENT.get()
            if record is not None:
                record.subgraph_fetches += 1
            outcome = "ok" if answered else "error"
            _after_answer(record, self._subgraph_latency(service, outcome).observe, elapsed)

        def counted_plan_for(*args: Any, **kwargs: Any) -> Any:
            # plan_for(query, document, operation_name, variant): the cache key it uses.
            variant = args[3] if len(args) > 3 else kwargs.get("variant")
            hit = (args[0], args[2], variant) in router._plans
            _after_answer(CURRENT.get(), self._plan_cache("hit" if hit else "miss").inc, 1)
            return plan_for(*args, **kwargs)

        router.client.observer = fetched
        router.plan_for = counted_plan_for  # type: ignore[method-assign]

    async def ready(self) -> tuple[bool, dict[str, str]]:
        """Every subgraph answers `{ __typename }` (the supergraph is loaded by construction)."""
        # Imported here: router.config imports router.edge, and the executor imports the config.
        from router.executor import SubgraphFetchError

        urls: dict[str, str] = self.router.executor.urls

        async def probe(name: str, url: str) -> str:
            try:
                await self.router.client.post(name, url, {"query": "{ __typename }"}, {}, 2.0)
            except SubgraphFetchError as error:
                return str(error)
            return "ok"

        results = await asyncio.gather(*(probe(n, u) for n, u in urls.items()))
        states = dict(zip(urls, results, strict=True))
        return all(s == "ok" for s in states.values()), states

    async def __call__(self, scope: Scope, receive: Receive, send: Send, inner: Inner) -> None:
        path = scope.get("path")
        if path == "/metrics":
            await _plain(send, 200, generate_latest(self.registry), _CONTENT_TYPE)
            return
        if path == "/ready":
            ok, states = await self.ready()
            body = orjson.dumps({"status": "ready" if ok else "unavailable", "subgraphs": states})
            await _plain(send, 200 if ok else 503, body, b"application/json")
            return
        method = scope.get("method")
        if path not in ("/graphql", "/") or method not in ("GET", "POST"):
            await inner(scope, receive, send)
            return
        record = self._record(scope, method)
        token = CURRENT.set(record)
        started = time.perf_counter()
        request_id = (REQUEST_ID_HEADER.encode(), record.request_id.encode())

        async def observing(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = int(message["status"])
                message["headers"] = [*message.get("headers", ()), request_id]
            elif message["type"] == "http.response.body" and b'"errors"' in message.get(
                "body", b""
            ):
                self._count_errors(message["body"], record)
            await send(message)

        try:
            await inner(scope, receive, observing)
        finally:
            CURRENT.reset(token)
            elapsed = time.perf_counter() - started
            record.finish()
            self._requests(str(record.status)).inc()
            self._latency(_label(record)).observe(elapsed)
            if self.request_log:
                emit(record, elapsed * 1000)

    def _record(self, scope: Scope, method: str) -> RequestRecord:
        """The request's log record; a request without a usable `x-request-id` gets one, which
        the response carries and the app forwards to the subgraphs."""
        headers = request_headers(scope)  # decoded once; the HTTP edge and the app read it too
        name = headers.get("apollographql-client-name")
        version = headers.get("apollographql-client-version")
        incoming = headers.get("x-request-id")
        traceparent = headers.get("traceparent")
        return RequestRecord(
            request_id=request_id(incoming),
            method=method,
            client_name=name[:100] if name is not None else None,
            client_version=version[:100] if version is not None else None,
            # Tracing off: the client's trace id still ties our line to its trace.
            trace_id=trace_id_of(traceparent),
        )

    def _count_errors(self, body: bytes, record: RequestRecord) -> None:
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return
        # A batch answers with a list of results.
        results = payload if isinstance(payload, list) else [payload]
        for result in results:
            for error in result.get("errors", ()) if isinstance(result, dict) else ():
                extensions = error.get("extensions") if isinstance(error, dict) else None
                code = str((extensions or {}).get("code") or "UNKNOWN")
                self.errors.labels(code).inc()
                record.error_codes.append(code)


def _after_answer(
    record: RequestRecord | None, update: Callable[[float], None], value: float
) -> None:
    """Apply a metric update once the request's answer is out (at once outside a request)."""
    if record is not None:
        record.defer(update, value)
    else:
        update(value)


def _label(record: RequestRecord) -> str:
    name = record.operation_name()
    # Bounded label values: only identifier-like names, else a catch-all.
    if name is not None and name.isidentifier() and len(name) <= 100:
        return name
    return "(anonymous)"


async def _plain(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
