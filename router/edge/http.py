"""GraphQL over HTTP at the edge: CORS, CSRF prevention, body size, media-type negotiation and
status codes as the GraphQL-over-HTTP spec says, wrapped around the router's ASGI handler."""

from __future__ import annotations

from enum import Enum
from functools import lru_cache

import orjson

from router.asgi import App, Message, Receive, Scope, Send
from router.edge.http_config import HttpConfig

__all__ = ["GRAPHQL_RESPONSE_JSON", "HttpEdge", "Media", "negotiate", "request_headers"]

Inner = App  # what a middleware wraps

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
_SIMPLE_CONTENT_TYPES = frozenset(
    ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
)
# Request errors the spec answers with 200 under the legacy `application/json` media type: the
# request was well-formed, the GraphQL in it was not.
_GRAPHQL_LEVEL_CODES = frozenset(
    ("GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "INVALID_GRAPHQL")
)


class Media(Enum):
    """What the client accepts: decides the response content type and error status codes."""

    DEFAULT = "default"  # no Accept or a wildcard: application/json, Apollo Gateway's statuses
    JSON = "application/json"  # explicitly legacy: 200 for GraphQL-level errors
    GRAPHQL_RESPONSE = GRAPHQL_RESPONSE_JSON
    NONE = "none"  # nothing we can produce: 406


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


@lru_cache(maxsize=256)  # clients send the same few Accept values: parse each once
def negotiate(accept: str | None) -> Media:
    """Pick the response media type from an Accept header (q-values honoured; ties favour
    `application/graphql-response+json`, the spec's preferred type)."""
    if not accept or not accept.strip():
        return Media.DEFAULT
    best: tuple[float, int, Media] | None = None
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        choice = {
            GRAPHQL_RESPONSE_JSON: (2, Media.GRAPHQL_RESPONSE),
            "application/json": (1, Media.JSON),
            "application/*": (0, Media.DEFAULT),
            "*/*": (0, Media.DEFAULT),
        }.get(media.lower())
        if choice is None or quality <= 0:
            continue
        candidate = (quality, choice[0], choice[1])
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best is not None else Media.NONE


def _error_body(message: str, code: str) -> bytes:
    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})


class HttpEdge:
    """Wraps the `/graphql` handler; other paths (health, metrics, …) pass straight through."""

    def __init__(self, config: HttpConfig) -> None:
        self.config = config
        self._origins = frozenset(config.cors_origins)

    def _cors(self, headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
        origin = headers.get("origin")
        if origin is None or not (origin in self._origins or "*" in self._origins):
            return []
        allowed = [(b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin")]
        if self.config.cors_allow_credentials:
            allowed.append((b"access-control-allow-credentials", b"true"))
        return allowed

    def _csrf_blocked(self, headers: dict[str, str]) -> bool:
        if not self.config.csrf_prevention:
            return False
        if any(h in headers for h in self.config.csrf_required_headers):
            return False
        content_type = headers.get("content-type")
        return content_type is None or _media_type(content_type) in _SIMPLE_CONTENT_TYPES

    async def __call__(self, scope: Scope, receive: Receive, send: Send, inner: Inner) -> None:
        if scope.get("path") not in ("/graphql", "/"):
            await inner(scope, receive, send)
            return
        headers = request_headers(scope)
        method = scope.get("method", "GET")
        cors = self._cors(headers)

        async def reply(status: int, body: bytes, extra: list[tuple[bytes, bytes]]) -> None:
            start = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *cors,
                *extra,
            ]
            await send({"type": "http.response.start", "status": status, "headers": start})
            await send({"type": "http.response.body", "body": body})

        if method == "OPTIONS":
            await reply(204, b"", self._preflight(headers) if cors else [])
            return
        media = negotiate(headers.get("accept"))
        if method in ("GET", "POST") and media is Media.NONE:
            message = f"Accept must allow application/json or {GRAPHQL_RESPONSE_JSON}"
            await reply(406, _error_body(message, "NOT_ACCEPTABLE"), [])
            return
        if method in ("GET", "POST") and self._csrf_blocked(headers):
            message = (
                "This operation has been blocked as a potential Cross-Site Request Forgery "
                "(CSRF). Please either specify a 'content-type' header (with a mime-type that is "
                "not one of application/x-www-form-urlencoded, multipart/form-data, text/plain) "
                "or provide one of the following headers: "
                + ", ".join(self.config.csrf_required_headers)
            )
            await reply(400, _error_body(message, "CSRF_PREVENTION"), [])
            return
        if method == "POST":
            content_type = headers.get("content-type")
            if content_type is None or _media_type(content_type) != "application/json":
                message = "POST requests must have content-type application/json"
                await reply(415, _error_body(message, "UNSUPPORTED_MEDIA_TYPE"), [])
                return
            body = await self._read_limited(receive, headers)
            if body is None:
                message = f"Request body larger than {self.config.max_body_bytes} bytes"
                await reply(413, _error_body(message, "REQUEST_TOO_LARGE"), [])
                return
            receive = _replay(body)
        if media is Media.JSON and not self.config.json_errors_ok:
            media = Media.DEFAULT  # application/json with Apollo's status codes
        if media is Media.DEFAULT and not cors:
            # Nothing to reshape: the app answers application/json with Apollo's statuses.
            await inner(scope, receive, send)
            return
        await inner(scope, receive, _Shaping(send, media, cors))

    def _preflight(self, headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
        requested = headers.get("access-control-request-headers", "content-type")
        return [
            (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
            (b"access-control-allow-headers", requested.encode("latin-1")),
            (b"access-control-max-age", str(self.config.cors_max_age).encode()),
        ]

    async def _read_limited(self, receive: Receive, headers: dict[str, str]) -> bytes | None:
        limit = self.config.max_body_bytes
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            chunk = bytes(message.get("body", b""))
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)


def request_headers(scope: Scope) -> dict[str, str]:
    """The request's headers by lower-case name, decoded once per request and kept in the scope
    (the edge and the app both read them). Callers must not modify the dict."""
    headers: dict[str, str] | None = scope.get(_HEADERS_KEY)
    if headers is None:
        headers = scope[_HEADERS_KEY] = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())
        }
    return headers


_HEADERS_KEY = "predicthealth.headers"


def _replay(body: bytes) -> Receive:
    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


class _Shaping:
    """A `send` that sets the negotiated content type, the spec's status and CORS headers."""

    def __init__(self, send: Send, media: Media, cors: list[tuple[bytes, bytes]]) -> None:
        self._send = send
        self._media = media
        self._cors = cors
        self._start: Message | None = None

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._start = message  # held until the body shows which errors it carries
            return
        if self._start is not None and message["type"] == "http.response.body":
            start, self._start = self._start, None
            status = int(start["status"])
            if self._media is Media.JSON and status == 400 and _graphql_level(message["body"]):
                status = 200
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-type"]
            content_type = (
                b"application/graphql-response+json; charset=utf-8"
                if self._media is Media.GRAPHQL_RESPONSE
                else b"application/json"
            )
            start = {
                **start,
                "status": status,
                "headers": [*headers, (b"content-type", content_type), *self._cors],
            }
            await self._send(start)
        await self._send(message)


def _graphql_level(body: bytes) -> bool:
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return False
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if not isinstance(errors, list) or not errors:
        return False
    codes = {(e.get("extensions") or {}).get("code") for e in errors if isinstance(e, dict)}
    return codes <= _GRAPHQL_LEVEL_CODES
