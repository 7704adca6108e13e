"""A lean ASGI app: GraphQL over HTTP at `/graphql` (POST, and GET for queries), `/health`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import orjson

from router.config import RouterConfig
from router.context import GraphQLRequest
from router.edge.graphiql import GraphiQL
from router.edge.rate_limit import CLIENT_IP, RESPONSE_HEADERS
from router.pipeline import Router
from router.reload import SupergraphReloader

__all__ = ["RouterApp", "create_app"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

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
        request: GraphQLRequest | str | None
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
        if not isinstance(request, GraphQLRequest):
            return
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())
        }
        client = scope.get("client")
        # Overrides anything a client sent: rate limiting keys anonymous callers by peer address.
        headers[CLIENT_IP] = str(client[0]) if client else "unknown"
        ctx = await router.handle(request, headers)
        await _respond(send, ctx.status, ctx.response, ctx.state.get(RESPONSE_HEADERS))

    async def _read_post(self, scope: Scope, receive: Receive, send: Send) -> GraphQLRequest | None:
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
        if not isinstance(body, dict):
            await _respond(send, 400, _bad_request("POST body must be a JSON object."))
            return None
        del scope
        return GraphQLRequest(
            query=body.get("query"),
            variables=body.get("variables"),
            operation_name=body.get("operationName") or None,
            extensions=body.get("extensions"),
        )

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


def create_app(supergraph_sdl: str, config: RouterConfig | None = None) -> RouterApp:
    """Build the router's ASGI app for a supergraph SDL (all schema work happens here, once)."""
    return RouterApp(Router(supergraph_sdl, config))
