"""Refuse malformed GraphQL POST bodies with 400 before the GraphQL view sees them.

Strawberry answers 500 to a JSON body that is not an object (`"{ a }"`), is not UTF-8, or nests
deeper than Python's recursion limit; and it reads bodies of any size. This guard reads the body
once (up to `max_bytes`, else 413), checks it with orjson (which also refuses nesting deeper than
1024), and replays it to the app unchanged.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["MAX_BODY_BYTES", "BodyGuard"]

#: Generous for entity batches from the router; the router itself refuses clients above 2 MB.
MAX_BODY_BYTES = 8_000_000


def _error(message: str) -> bytes:
    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]})


class BodyGuard:
    def __init__(self, app: ASGIApp, *, path: str = "/graphql", max_bytes: int = MAX_BODY_BYTES):
        self.app = app
        self.path = path
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._guarded(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _reply(send, 413, _error(f"Request body exceeds {self.max_bytes} bytes"))
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        problem = _problem(body)
        if problem is not None:
            await _reply(send, 400, _error(problem))
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # later messages: the disconnect
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def _guarded(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            return False
        for key, value in scope["headers"]:
            if key == b"content-type":
                return bool(value.split(b";", 1)[0].strip().lower() == b"application/json")
        return False


def _problem(body: bytes) -> str | None:
    try:
        parsed: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        return "Request body is not valid JSON (UTF-8, nesting at most 1024 deep)"
    if not isinstance(parsed, dict):
        return "Request body must be a JSON object"
    return None


async def _reply(send: Send, status: int, payload: bytes) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
