"""A lean ASGI app: GraphQL over HTTP at `/graphql` (POST, and GET for queries), `/health`."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import parse_qs

import orjson

from router.asgi import Receive, Scope, Send
from router.config import RouterConfig
from router.context import GraphQLRequest, RequestContext
from router.edge.graphiql import GraphiQL
from router.edge.http import request_headers
from router.edge.rate_limit import CLIENT_IP, RESPONSE_HEADERS
from router.edge.request_log import CURRENT, REQUEST_ID_HEADER
from router.pipeline import Router
from router.reload import SupergraphReloader

__all__ = ["RouterApp", "create_app"]


_JSON = [(b"content-type", b"application/json")]
_INTERNAL = {
    "errors": [
        {
            "message": "Unexpected error during query plan execution",
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        }
    ]
}
_log = logging.getLogger("router")


async def _respond(
    send: Send, status: int, body: Any, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    payload = orjson.dumps(body)
    headers = [*_JSON, (b"content-length", str(len(payload)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def _wait(headers: list[tuple[bytes, bytes]]) -> int:
    """The Retry-After seconds among response headers (0 without one)."""
    return max((int(v) for k, v in headers if k == b"retry-after"), default=0)


def _bad_request(message: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]}


class RouterApp:
    """The ASGI callable; owns the `Router` (schema, caches, pooled subgraph client)."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.reloader: SupergraphReloader | None = None
        self.graphiql = GraphiQL(router.config.graphiql)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # One router per request: a hot reload (router/reload.py) never switches mid-request.
        router = self.router
        if scope["type"] == "http":
            # Browsers get the IDE (and its assets) before GraphQL-over-HTTP negotiation would 406.
            if await self.graphiql.maybe_serve(scope, send):
                return

            async def inner(scope: Scope, receive: Receive, send: Send) -> None:
                await self._serve(scope, receive, send, router)

            # Metrics/readiness, CORS, CSRF, body limit, negotiation wrap the handler (router/edge/).
            await router.edge.serve(scope, receive, send, inner)
            return
        await self._serve(scope, receive, send, router)

    async def _serve(self, scope: Scope, receive: Receive, send: Send, router: Router) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind != "http":
            return
        path = scope.get("path", "")
        method = scope.get("method", "GET")
        if path == "/health":
            await _respond(send, 200, {"status": "ok"})
            return
        if path not in ("/graphql", "/"):
            await _respond(send, 404, {"errors": [{"message": "Not found"}]})
            return
        request: GraphQLRequest | list[GraphQLRequest] | str | None
        if method == "POST":
            request = await self._read_post(scope, receive, send)
        elif method == "GET":
            request = self._read_get(scope)
            if isinstance(request, str):
                await _respond(send, 400, _bad_request(request))
                return
        else:
            await _respond(
                send, 405, _bad_request(f"{method} is not supported"), [(b"allow", b"GET, POST")]
            )
            return
        if request is not None:
            await self._execute(scope, send, router, request)
            poll = router.client.busy_poll
            if poll is not None:
                poll.linger()  # latency mode: stay awake for this connection's next request

    async def _execute(
        self,
        scope: Scope,
        send: Send,
        router: Router,
        request: GraphQLRequest | list[GraphQLRequest],
    ) -> None:
        headers = dict(request_headers(scope))
        client = scope.get("client")
        peer = str(client[0]) if client else "unknown"
        # Overrides anything a client sent: rate limiting keys anonymous callers by peer address.
        headers[CLIENT_IP] = peer
        # Subgraphs see the chain with the address we saw appended (the last entry is ours).
        forwarded = headers.get("x-forwarded-for")
        headers["x-forwarded-for"] = f"{forwarded}, {peer}" if forwarded else peer
        record = CURRENT.get()
        if record is not None:
            headers[REQUEST_ID_HEADER] = record.request_id  # the client's, or the one we made
        if isinstance(request, list):
            # Items run concurrently, each through every stage (limits, auth, rate limit).
            contexts = await asyncio.gather(*(router.handle(r, dict(headers)) for r in request))
            if record is not None:
                record.operations.extend(_operation(ctx) for ctx in contexts)
            # The batch answers 200 with each item's result; a rate-limited item still tells the
            # client when to retry, for the whole response: the longest wait of its items.
            extra = max((ctx.state.get(RESPONSE_HEADERS) or [] for ctx in contexts), key=_wait)
            await _respond(send, 200, [ctx.response for ctx in contexts], extra or None)
            return
        ctx = await router.handle(request, headers)
        if record is not None:
            record.operations.append(_operation(ctx))
        await _respond(send, ctx.status, ctx.response, ctx.state.get(RESPONSE_HEADERS))

    async def _read_post(
        self, scope: Scope, receive: Receive, send: Send
    ) -> GraphQLRequest | list[GraphQLRequest] | None:
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        try:
            body = orjson.loads(b"".join(chunks))
        except orjson.JSONDecodeError:
            await _respond(send, 400, _bad_request("POST body is not valid JSON."))
            return None
        if isinstance(body, list):
            return await self._read_batch(body, send)
        if not isinstance(body, dict):
            await _respond(send, 400, _bad_request("POST body must be a JSON object."))
            return None
        del scope
        return _decode(body)

    async def _read_batch(self, body: list[Any], send: Send) -> list[GraphQLRequest] | None:
        http = self.router.config.http
        problem: tuple[str, str] | None = None
        if not http.batching:
            problem = ("batching not enabled", "BATCHING_NOT_ENABLED")
        elif not body or len(body) > http.max_batch_size:
            problem = (
                f"Batch limits exceeded: a batch of {len(body)} operations, the maximum is "
                f"{http.max_batch_size}",
                "BATCH_LIMIT_EXCEEDED",
            )
        elif not all(isinstance(item, dict) for item in body):
            problem = ("every batch item must be a JSON object", "BAD_REQUEST")
        if problem is None:
            return [_decode(item) for item in body]
        # Apollo Router's shape: a generic message, the reason in `details`.
        details, code = problem
        error = {
            "message": "Invalid GraphQL request",
            "extensions": {"details": details, "code": code},
        }
        await _respond(send, 400, {"errors": [error]})
        return None

    def _read_get(self, scope: Scope) -> GraphQLRequest | str:
        params = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
        variables = extensions = None
        try:
            if params.get("variables"):
                variables = orjson.loads(params["variables"])
            if params.get("extensions"):
                extensions = orjson.loads(params["extensions"])
        except orjson.JSONDecodeError:
            return "`variables` and `extensions` must be JSON in a GET request."
        return GraphQLRequest(
            query=params.get("query"),
            variables=variables,
            operation_name=params.get("operationName") or None,
            extensions=extensions,
            method="GET",
        )

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                config = self.router.config
                if config.supergraph_path is not None and config.reload_interval > 0:
                    self.reloader = SupergraphReloader(
                        self, config.supergraph_path, config.reload_interval
                    )
                    self.reloader.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.reloader is not None:
                    await self.reloader.stop()
                await self.router.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _decode(body: dict[str, Any]) -> GraphQLRequest:
    return GraphQLRequest(
        query=body.get("query"),
        variables=body.get("variables"),
        # "" reads as absent; any other non-string reaches stage_request_shape (400).
        operation_name=_absent_if_empty(body.get("operationName")),
        extensions=body.get("extensions"),
    )


def _absent_if_empty(value: Any) -> Any:
    return None if value is None or value == "" else value


def _operation(ctx: RequestContext) -> tuple[str | None, str | None]:
    """(name, type) for the request log: the executed operation, else what the client named."""
    requested: object = ctx.request.operation_name
    named = requested if isinstance(requested, str) else None
    operation = ctx.operation
    if operation is None:
        return named, None
    return (operation.name.value if operation.name else named), operation.operation.value


def create_app(supergraph_sdl: str, config: RouterConfig | None = None) -> RouterApp:
    """Build the router's ASGI app for a supergraph SDL (all schema work happens here, once)."""
    return RouterApp(Router(supergraph_sdl, config))
