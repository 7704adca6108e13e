"""A lean HTTP/1.1 keep-alive client for subgraph POSTs over plain `http://` (asyncio + httptools).

aiohttp costs ~140 µs of CPU per subgraph request on this machine; the router needs one request
shape only (POST a JSON body, read the whole answer), which this pool does in a fraction of that:
one preformatted request head per URL, one `write`, httptools parsing the answer. `https://`
and anything else stays with aiohttp (`fetcher.py`).
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections import deque
from collections.abc import Mapping
from typing import cast
from urllib.parse import urlsplit

import httptools

from router.lazy_timer import LazyTimer, due

__all__ = ["Disconnected", "InvalidResponse", "Pool", "Target", "header_fields"]

# Idle connections older than this are not reused: servers close theirs after ~5 s (uvicorn,
# Node), and a request written into a closing connection fails.
_IDLE_SECONDS = 4.0

Raw = tuple[int, str, bytes]  # status, reason, body


class Disconnected(ConnectionError):
    """The server closed the connection before a whole response arrived."""

    def __init__(self, received: bool) -> None:
        super().__init__("Server disconnected")
        self.received = received  # any byte of a response had arrived


class InvalidResponse(ConnectionError):
    def __init__(self) -> None:
        super().__init__("Invalid HTTP response")


class Target:
    """Where one subgraph URL points, with the constant part of its request head."""

    __slots__ = ("head", "host", "key", "port")

    def __init__(self, host: str, port: int, path: str) -> None:
        self.host = host
        self.port = port
        self.key = (host, port)
        name = f"[{host}]" if ":" in host else host  # an IPv6 literal keeps its brackets
        authority = name if port == 80 else f"{name}:{port}"
        self.head = (
            f"POST {path} HTTP/1.1\r\nHost: {authority}\r\n"
            "Content-Type: application/json\r\nAccept: application/json\r\n"
        ).encode("latin-1")


def header_fields(headers: Mapping[str, str]) -> bytes:
    """`headers` as request header lines; one with CR or LF is left out, never let through to
    split the request."""
    lines = [
        f"{name}: {value}\r\n"
        for name, value in headers.items()
        if "\r" not in value and "\n" not in value and "\r" not in name and "\n" not in name
    ]
    return "".join(lines).encode("latin-1")


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[Raw] | None = None
        self.timer = LazyTimer(self._tick)  # the answer's deadline (see `send`)
        self.deadline = 0.0
        self.body: list[bytes] = []
        self.reason = ""
        self.received = False
        self.headers_done = False
        self.keep_alive = True
        self.closed = False
        self.idle_since = 0.0

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast("asyncio.Transport", transport)  # uvloop's is not a subclass
        sock = transport.get_extra_info("socket")
        if sock is not None:
            # Small requests go out at once (no Nagle wait for the previous answer's ACK).
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self.received = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self._fail(InvalidResponse())
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.timer.cancel()
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        if self.headers_done and not self.parser.should_keep_alive():
            # A body delimited by the end of the connection.
            self._complete()
            return
        self._fail(Disconnected(self.received))

    # httptools callbacks
    def on_status(self, status: bytes) -> None:
        self.reason = status.decode("latin-1")

    def on_headers_complete(self) -> None:
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.keep_alive = self.parser.should_keep_alive()
        self._complete()

    # ours
    def _complete(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result((self.parser.get_status_code(), self.reason, b"".join(self.body)))

    def _fail(self, error: Exception) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def _tick(self) -> None:
        waiter = self.waiter
        if waiter is None or waiter.done():
            return  # answered in time; the next `send` arms again
        loop = asyncio.get_running_loop()
        if due(loop, self.deadline):
            self._fail(TimeoutError())
        else:
            self.timer.arm(loop, self.deadline)  # a later request's deadline

    def send(self, request: bytes, deadline: float) -> asyncio.Future[Raw]:
        """Write `request`; the future fails with TimeoutError if no answer by `deadline`
        (loop time). A timer on the answer, not `asyncio.timeout` around the await: the same
        bound without a context object, a task lookup and a cancellation per subgraph request.
        The timer is lazy: one armed for an earlier request's deadline stays and re-arms when
        it fires, so back-to-back requests do not create and cancel a loop timer each."""
        assert self.transport is not None
        self.body = []
        self.reason = ""
        self.received = self.headers_done = False
        loop = asyncio.get_running_loop()
        self.waiter = loop.create_future()
        self.deadline = deadline
        self.timer.arm(loop, deadline)
        self.transport.write(request)
        return self.waiter

    def close(self) -> None:
        self.closed = True
        self.timer.cancel()
        if self.transport is not None:
            self.transport.close()


class _Slots:
    """At most `free` requests in flight to one host; the rest queue in arrival order. Taking
    a free slot is plain arithmetic (the common case): no lock, no await."""

    __slots__ = ("free", "waiters")

    def __init__(self, limit: int) -> None:
        self.free = limit
        self.waiters: deque[asyncio.Future[None]] = deque()

    def take(self) -> bool:
        if self.free > 0 and not self.waiters:
            self.free -= 1
            return True
        return False

    async def wait(self) -> None:
        """Queue for a slot; one is handed over by `release`."""
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed one just as we gave up: pass it on
            else:
                waiter.cancel()  # skipped by release
            raise

    def release(self) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot goes to the longest waiting
                return
        self.free += 1


class Pool:
    """Keep-alive connections per host and port, at most `limit` in use per host."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._targets: dict[str, Target | None] = {}
        self._idle: dict[tuple[str, int], list[_Connection]] = {}
        self._slots: dict[tuple[str, int], _Slots] = {}

    def target(self, url: str) -> Target | None:
        """The target of a plain `http://` URL (None: not ours to send)."""
        try:
            return self._targets[url]
        except KeyError:
            pass
        parts = urlsplit(url)
        target = None
        if parts.scheme == "http" and parts.hostname and not parts.username:
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            target = Target(parts.hostname, parts.port or 80, path)
        if len(self._targets) < 1024:
            self._targets[url] = target
        return target

    async def post(
        self,
        target: Target,
        body: bytes,
        fields: bytes,
        seconds: float,
        retry: bool,
    ) -> Raw:
        """POST `body` with the extra header `fields` (`header_fields`); raise TimeoutError,
        OSError (refused, reset, …), `Disconnected`."""
        request = b"%s%sContent-Length: %d\r\n\r\n%s" % (target.head, fields, len(body), body)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        slots = self._slots.get(target.key)
        if slots is None:
            slots = self._slots[target.key] = _Slots(self._limit)
        if not slots.take():
            async with asyncio.timeout_at(deadline):
                await slots.wait()
        try:
            while True:
                connection = self._idle_connection(target)
                reused = connection is not None
                if connection is None:
                    async with asyncio.timeout_at(deadline):
                        connection = await self._connect(target)
                try:
                    raw = await connection.send(request, deadline)
                except Disconnected as error:
                    # A reused connection the server had just closed: once more on a new one
                    # (reads only: a write might have been applied before the connection died).
                    if reused and retry and not error.received:
                        continue
                    raise
                except BaseException:
                    connection.close()  # e.g. timed out: a late answer must not be read as ours
                    raise
                if connection.keep_alive and not connection.closed:
                    connection.idle_since = time.monotonic()
                    self._idle.setdefault(target.key, []).append(connection)
                else:
                    connection.close()
                return raw
        finally:
            slots.release()

    def _idle_connection(self, target: Target) -> _Connection | None:
        idle = self._idle.get(target.key)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if not connection.closed and now - connection.idle_since < _IDLE_SECONDS:
                return connection
            connection.close()
        return None

    async def _connect(self, target: Target) -> _Connection:
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(_Connection, target.host, target.port)
        return connection

    def close(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()
