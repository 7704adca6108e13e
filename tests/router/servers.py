"""In-process test servers: tiny subgraphs and the router, each on a free 127.0.0.1 port (served by
the router's own HTTP server, router/http_server.py)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from router.http_server import HttpServer
from tests.federation.testbed.subgraph import Subgraph

__all__ = ["Behaviour", "free_port", "serve_asgi", "subgraph_app"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Behaviour:
    """How a test subgraph misbehaves, and what it saw (headers of each request)."""

    delay: float = 0.0
    raw_body: bytes | None = None
    status: int = 200
    seen_headers: list[dict[str, str]] = field(default_factory=list)
    seen_bodies: list[dict[str, Any]] = field(default_factory=list)


def subgraph_app(subgraph: Subgraph, behaviour: Behaviour) -> App:
    """Serve one graphql-core subgraph over HTTP, with the misbehaviour `behaviour` asks for."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        behaviour.seen_headers.append({k.decode(): v.decode() for k, v in scope["headers"]})
        if behaviour.delay:
            await asyncio.sleep(behaviour.delay)
        if behaviour.raw_body is not None:
            payload, content_type = behaviour.raw_body, b"text/html"
        else:
            request = json.loads(body)
            behaviour.seen_bodies.append(request)
            result = subgraph.execute(
                request["query"], request.get("variables"), request.get("operationName")
            )
            payload, content_type = json.dumps(result).encode(), b"application/json"
        headers = [(b"content-type", content_type), (b"content-length", str(len(payload)).encode())]
        await send({"type": "http.response.start", "status": behaviour.status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    return app


@asynccontextmanager
async def serve_asgi(app: App) -> AsyncIterator[str]:
    """Serve `app` with the router's own HTTP server in this event loop (no lifespan); yield
    its base URL; stop it afterwards."""
    server = HttpServer(app)
    _, port = await server.start("127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.close()
