"""Serve every scenario's subgraphs from one uvicorn process: POST /<scenario>/<subgraph>.

Run as `python -m tests.federation.testbed.server [--port N]`; prints
`testbed listening on http://127.0.0.1:PORT` once it accepts connections.
"""

from __future__ import annotations

import argparse
import json
import socket
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn

from tests.federation.testbed.scenarios import SCENARIOS

__all__ = ["app", "main"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


async def _read_body(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += bytes(message.get("body", b""))
        if not message.get("more_body"):
            return body


async def _respond(send: Send, status: int, payload: Any) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _respond_text(send: Send, status: int, text: str) -> None:
    body = text.encode()
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI app: one GraphQL endpoint per scenario subgraph, plus `/health`."""
    parts = [p for p in scope["path"].split("/") if p]
    if parts == ["health"]:
        await _respond(send, 200, {"status": "ok"})
        return
    scenario = SCENARIOS.get(parts[0]) if len(parts) == 2 else None
    subgraph = scenario.by_name().get(parts[1]) if scenario else None
    if subgraph is None or scope["method"] != "POST":
        await _respond(send, 404, {"errors": [{"message": f"no subgraph at {scope['path']}"}]})
        return
    if subgraph.outage_status is not None:
        await _read_body(receive)
        await _respond_text(send, subgraph.outage_status, "upstream unavailable")
        return
    try:
        request = json.loads(await _read_body(receive))
    except ValueError:
        await _respond(send, 400, {"errors": [{"message": "body is not JSON"}]})
        return
    # Execution is synchronous and in-memory: the subgraphs are deterministic and instant.
    result = subgraph.execute(
        request.get("query", ""), request.get("variables"), request.get("operationName")
    )
    await _respond(send, 200, result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    for scenario in SCENARIOS.values():
        for subgraph in scenario.subgraphs:
            _ = subgraph.schema  # build every schema now: a broken one fails start-up, loudly
    # Bind here (port 0 picks a free one) and hand the socket to uvicorn: no port race.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    port = sock.getsockname()[1]
    # Idle keep-alive connections stay open longer than any gateway's client keeps them: with
    # uvicorn's default 5 s, Apollo Gateway's Node agent sometimes reused a socket the server was
    # just closing and reported "socket hang up" (a reference-side transport error, seen once in
    # CI), which the differential tests would count as a different answer.
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=300
    )
    _ReadyServer(config, f"testbed listening on http://127.0.0.1:{port}").run(sockets=[sock])


class _ReadyServer(uvicorn.Server):
    """Prints the ready line once uvicorn accepts connections (what the fixture waits for)."""

    def __init__(self, config: uvicorn.Config, ready_line: str) -> None:
        super().__init__(config)
        self.ready_line = ready_line

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        print(self.ready_line, flush=True)


if __name__ == "__main__":
    main()
