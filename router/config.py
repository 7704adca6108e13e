"""Router settings: subgraph timeouts and URL overrides, forwarded headers, errors, auth."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from router.edge.config import PersistedQueryConfig
from router.edge.http_config import HttpConfig
from router.edge.limits_config import LimitsConfig
from router.edge.rate_limit import RateLimitConfig
from router.edge.telemetry_config import TelemetryConfig

if TYPE_CHECKING:
    from router.security.config import AuthConfig

__all__ = ["RouterConfig"]

# x-forwarded-for: the client's value with the peer address appended by the app (router/app.py).
_FORWARDED = ("authorization", "x-request-id", "traceparent", "tracestate", "x-forwarded-for")


@dataclass(frozen=True, slots=True)
class RouterConfig:
    """Everything tunable about the router runtime (all defaults are production-safe)."""

    # Seconds to wait for a subgraph, by default and per subgraph name.
    subgraph_timeout: float = 30.0
    subgraph_timeouts: dict[str, float] = field(default_factory=dict)
    # Replace the routing URL the supergraph declares for a subgraph (name -> url).
    subgraph_urls: dict[str, str] = field(default_factory=dict)
    # Client request headers (lower case) copied onto every subgraph request.
    forward_headers: tuple[str, ...] = _FORWARDED
    # Pass subgraph error extensions through untouched instead of keeping only `code`.
    expose_subgraph_errors: bool = False
    # A failed subgraph fetch says only that (Apollo's `request to URL failed, reason: …` names
    # internal hosts and ports); `python -m router` turns it on with ENVIRONMENT=production.
    mask_fetch_errors: bool = False
    # Request header that makes the response carry `extensions.queryPlan` (text).
    plan_header: str = "apollo-query-plan-experimental"
    # Connections kept open per subgraph host.
    max_connections_per_host: int = 100
    # Identical read requests in flight to one subgraph (same body, token and forwarded headers)
    # share one exchange, as Hive Gateway does. Only the first request's id reaches the subgraph,
    # so its read audit holds one entry for the shared reads; False gives one exchange (and one
    # audit entry) per client request, as Apollo Router's default does.
    dedupe_subgraph_requests: bool = True
    # Milliseconds to keep polling, instead of letting the core sleep, for a subgraph's answer
    # and after each answer to a client (router/executor/busy_poll.py): lower latency on a core
    # of its own, for a core of CPU while traffic flows. 0: off.
    busy_poll_ms: float = 0.0
    document_cache_size: int = 1024
    plan_cache_size: int = 1024
    # JWT verification and @authenticated/@requiresScopes/@policy; None: both off.
    auth: AuthConfig | None = None
    # Automatic persisted queries and trusted-document manifests (router/edge/).
    persisted_queries: PersistedQueryConfig = field(default_factory=PersistedQueryConfig)
    # GraphQL over HTTP at the edge: CSRF prevention, CORS allow-list, body size limit.
    http: HttpConfig = field(default_factory=HttpConfig)
    # Operation limits checked before planning (tokens, depth, aliases, root fields, cost).
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    # Requests per window per principal/IP (Redis-shared); off by default.
    rate_limit: RateLimitConfig = field(default_factory=RateLimitConfig)
    # Structured request logs and OpenTelemetry tracing (off unless a tracer provider is set).
    telemetry: TelemetryConfig = field(default_factory=TelemetryConfig)

    # GraphiQL at GET /graphql for browsers (never when ENVIRONMENT=production).
    graphiql: bool = True
    # Answer `__schema`/`__type`; False fails such operations with GRAPHQL_VALIDATION_FAILED.
    introspection: bool = True
    # The supergraph file `python -m router` serves: polled every `reload_interval` s (0: never)
    # and hot-reloaded when it changes (router/reload.py).
    supergraph_path: Path | None = None
    reload_interval: float = 1.0

    def timeout_for(self, service: str) -> float:
        return self.subgraph_timeouts.get(service, self.subgraph_timeout)
