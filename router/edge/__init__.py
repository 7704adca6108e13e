"""The router's edge: GraphQL over HTTP (CORS, CSRF, negotiation), persisted queries, trusted documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from router.asgi import Receive, Scope, Send
from router.edge.breaker import CircuitBreaker
from router.edge.config import PersistedQueryConfig
from router.edge.http import HttpEdge, Inner
from router.edge.http_config import HttpConfig
from router.edge.introspection import stage_no_introspection
from router.edge.limits import Limits
from router.edge.limits_config import LimitsConfig
from router.edge.manifest import (
    ManifestError,
    ManifestOperation,
    check_manifest,
    check_manifest_file,
    load_manifest,
)
from router.edge.observability import Observability
from router.edge.persisted import PersistedQueries, sha256_hex
from router.edge.rate_limit import RateLimitConfig, RateLimiter
from router.edge.request_shape import stage_request_shape
from router.edge.telemetry_config import TelemetryConfig
from router.edge.tracing import Tracing, provider_from_env

if TYPE_CHECKING:
    from router.pipeline import Router

__all__ = [
    "CircuitBreaker",
    "Edge",
    "HttpConfig",
    "HttpEdge",
    "Limits",
    "LimitsConfig",
    "ManifestError",
    "ManifestOperation",
    "Observability",
    "PersistedQueries",
    "PersistedQueryConfig",
    "RateLimitConfig",
    "RateLimiter",
    "TelemetryConfig",
    "Tracing",
    "check_manifest",
    "check_manifest_file",
    "install",
    "load_manifest",
    "provider_from_env",
    "sha256_hex",
]


@dataclass
class Edge:
    """The edge features installed on one `Router`; `close` releases their connections."""

    persisted: PersistedQueries
    http: HttpEdge
    observability: Observability
    rate_limiter: RateLimiter | None = None
    tracing: Tracing | None = None

    async def serve(self, scope: Scope, receive: Receive, send: Send, inner: Inner) -> None:
        """The HTTP entry: metrics/ready and measurements (and the trace's server span, when
        tracing is on) around CORS/CSRF/negotiation."""

        async def protocol(scope: Scope, receive: Receive, send: Send) -> None:
            await self.http(scope, receive, send, inner)

        tracing = self.tracing
        if tracing is None or scope.get("path") not in ("/graphql", "/"):
            await self.observability(scope, receive, send, protocol)
            return

        async def traced(scope: Scope, receive: Receive, send: Send) -> None:
            await tracing.serve(scope, receive, send, protocol)

        await self.observability(scope, receive, send, traced)

    async def close(self) -> None:
        await self.persisted.close()
        if self.rate_limiter is not None:
            await self.rate_limiter.close()


def install(router: Router) -> Edge:
    """Insert the edge stages into `router.stages`: persisted queries resolve right before the
    document stage (after authentication, when that is on)."""
    persisted = PersistedQueries.build(router.config.persisted_queries)
    names = [stage.__name__ for stage in router.stages]
    limits = Limits(router.config.limits, router.supergraph.schema)
    # Before planning (and so before any subgraph call): depth, aliases, root fields, cost.
    router.stages.insert(names.index("stage_plan"), limits.stage_operation_limits)
    at = names.index("stage_document")
    router.stages[at:at] = [stage_request_shape, persisted.stage, limits.stage_tokens]
    limits_config = router.config.limits
    CircuitBreaker(limits_config.breaker_threshold, limits_config.breaker_cooldown).install(router)
    if not router.config.introspection:
        names = [stage.__name__ for stage in router.stages]
        router.stages.insert(names.index("stage_document") + 1, stage_no_introspection)
    rate_limiter = None
    if router.config.rate_limit.requests > 0:
        # After authentication (the principal is known), before parsing, planning and subgraphs.
        rate_limiter = RateLimiter(router.config.rate_limit)
        names = [stage.__name__ for stage in router.stages]
        at = names.index("stage_authenticate") + 1 if "stage_authenticate" in names else 0
        router.stages.insert(at, rate_limiter.stage)
    edge = Edge(persisted, HttpEdge(router.config.http), Observability(router, persisted))
    edge.rate_limiter = rate_limiter
    provider = router.config.telemetry.tracer_provider
    if provider is not None:
        # Last: it wraps the stages every other installer has put in place.
        edge.tracing = Tracing(provider)
        edge.tracing.install(router)
    return edge
