"""Settings of the HTTP edge: CSRF prevention, CORS allow-list, body size, batching."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HttpConfig"]


@dataclass(frozen=True, slots=True)
class HttpConfig:
    """GraphQL-over-HTTP behaviour at `/graphql` (defaults are production-safe)."""

    #: Apollo Router's CSRF prevention: a request must have a non-simple content type or one
    #: of `csrf_required_headers`, so browsers always preflight it.
    csrf_prevention: bool = True
    csrf_required_headers: tuple[str, ...] = ("x-apollo-operation-name", "apollo-require-preflight")
    #: Origins allowed to call from a browser (exact `scheme://host[:port]`; "*" any). Empty: none.
    cors_origins: tuple[str, ...] = ()
    cors_allow_credentials: bool = False
    cors_max_age: int = 600
    #: The GraphQL-over-HTTP spec's statuses: a client that asks for legacy `application/json` gets
    #: 200 for parse/validation/variable errors (the spec's SHOULD; every graphql-http audit ok).
    #: False: 400 like Apollo Router and Apollo Gateway (`--apollo-status-codes`; the differential
    #: tests run so). Clients accepting `application/graphql-response+json` or anything (`*/*`, no
    #: Accept) get 400 either way.
    json_errors_ok: bool = True
    #: Largest request body accepted, in bytes (413 above it).
    max_body_bytes: int = 2_000_000
    #: Several operations in one POST (a JSON array; results in order). Off: 400
    #: `BATCHING_NOT_ENABLED`; more than `max_batch_size` items: 400 `BATCH_LIMIT_EXCEEDED`.
    batching: bool = False
    max_batch_size: int = 10
