"""A lean HTTP/1.1 server for the router's ASGI app: httptools parsing on the running loop.

Why not uvicorn: at one request at a time the router's own time per request is mostly cold
caches after each wait, and every extra layer costs there. uvicorn's per-request machinery and
its 10 Hz housekeeping tick cost the router ~0.4 ms of latency per request at c=1 on our
benchmark (bench/README.md); this server does the same job with less: one task per request,
the response head written with the first body chunk (one write for a JSON answer), timers only
where a connection needs one.

What it speaks: keep-alive and pipelining (answered in order), Content-Length and chunked
request bodies with flow control, `Expect: 100-continue`, Content-Length or chunked responses,
HEAD. It ignores `Upgrade` (RFC 9110 §7.8 allows it) and answers in HTTP/1.1. Limits: the
request head (431 above `max_head_bytes`, 408 when it takes longer than `head_timeout`), idle
keep-alive connections close after `keep_alive` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import deque
from email.utils import formatdate
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import unquote

import httptools

from router.asgi import App, Message, Scope
from router.lazy_timer import LazyTimer, due

__all__ = ["HttpServer"]


_log = logging.getLogger("router.http")

_STATUS_LINES = {s.value: b"HTTP/1.1 %d %s\r\n" % (s.value, s.phrase.encode()) for s in HTTPStatus}
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9a-zA-Z]+")  # RFC 9110 field names
_BAD_VALUE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")  # CR/LF would split the response
_GOOD_NAMES: set[bytes] = set()  # response header names that passed `_TOKEN`
_BODY_HIGH_WATER = 65536  # buffered request body: reading pauses above this until the app reads
_NO_BODY_STATUS = frozenset((204, 304))
_DISCONNECT: Message = {"type": "http.disconnect"}
_UNTIL_CLOSE = -2  # `_Cycle.remaining` of a response whose end is the connection's close


class _HeadTooLarge(Exception):
    pass


class _Clock:
    """`date: …` for this second, formatted once per second rather than per response."""

    second = -1
    line = b""


def _date_header() -> bytes:
    now = int(time.time())
    if now != _Clock.second:
        _Clock.second = now
        _Clock.line = b"date: %s\r\n" % formatdate(now, usegmt=True).encode()
    return _Clock.line


def _plain(status: int, message: str) -> bytes:
    body = message.encode()
    return b"".join(
        (
            _STATUS_LINES.get(status, b"HTTP/1.1 %d \r\n" % status),
            b"content-type: text/plain; charset=utf-8\r\n",
            b"content-length: %d\r\nconnection: close\r\n" % len(body),
            _date_header(),
            b"\r\n",
            body,
        )
    )


class HttpServer:
    """Serves one ASGI app on one listening socket; `drain` is the graceful stop."""

    def __init__(
        self,
        app: App,
        *,
        keep_alive: float = 5.0,
        head_timeout: float = 30.0,
        max_head_bytes: int = 64 * 1024,
        state: dict[str, Any] | None = None,
    ) -> None:
        self.app = app
        self.keep_alive = keep_alive
        self.head_timeout = head_timeout
        self.max_head_bytes = max_head_bytes
        self.state = state if state is not None else {}  # lifespan state, copied per request
        self.connections: set[_Connection] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int, *, backlog: int = 2048) -> tuple[str, int]:
        """Listen on `host:port` (0: any free port); the address actually bound."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _Connection(self, loop), host, port, backlog=backlog, reuse_address=True
        )
        bound = self._server.sockets[0].getsockname()
        return str(bound[0]), int(bound[1])

    def stop_accepting(self) -> None:
        """Close the listening socket: new connections are refused from now on."""
        if self._server is not None:
            self._server.close()

    async def drain(self, seconds: float, force: asyncio.Event | None = None) -> bool:
        """Stop accepting, close idle connections, let requests in flight finish (each
        connection closes after its answer) for up to `seconds`, or until `force` is set; then
        cut what is left. True when everything finished in time."""
        self.stop_accepting()
        for connection in list(self.connections):
            connection.shutdown()
        deadline = time.monotonic() + seconds
        while (self.connections or self.tasks) and time.monotonic() < deadline:
            if force is not None and force.is_set():
                break
            await asyncio.sleep(0.05)
        clean = not (self.connections or self.tasks)
        for connection in list(self.connections):
            connection.abort()
        for task in list(self.tasks):
            task.cancel()
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)
        return clean

    async def close(self) -> None:
        """Stop at once: refuse new connections, cut the open ones and their requests."""
        await self.drain(0)


class _Connection(asyncio.Protocol):
    """One client connection: parses requests and answers them one after another."""

    def __init__(self, server: HttpServer, loop: asyncio.AbstractEventLoop) -> None:
        self.server = server
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.client: tuple[str, int] | None = None
        self.local: tuple[str, int] | None = None
        self.current: _Cycle | None = None  # the request being answered
        self.queued: deque[_Cycle] = deque()  # pipelined requests waiting their turn
        self.parsing: _Cycle | None = None  # the request whose body is arriving
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.head_bytes = 0
        self.expect_continue = False
        # One lazy timer per connection for both deadlines: a request then costs two stores
        # instead of creating and cancelling two loop timers.
        self.idle_deadline: float | None = None  # close when idle until then
        self.head_deadline: float | None = None  # 408 unless the head is in by then
        self.timer = LazyTimer(self._tick)
        self.reading_paused = False
        self.writable: asyncio.Future[None] | None = None  # set while the write buffer is full
        self.closing = False

    # --- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast("asyncio.Transport", transport)  # uvloop's is not a subclass
        self.client = _address(transport.get_extra_info("peername"))
        self.local = _address(transport.get_extra_info("sockname"))
        self.server.connections.add(self)
        self._idle_after(self.server.keep_alive)  # a connection that never sends closes too

    def data_received(self, data: bytes) -> None:
        self.idle_deadline = None
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade as upgrade:
            self._ignore_upgrade(data[upgrade.args[0] :])
        except httptools.HttpParserCallbackError as error:
            if isinstance(error.__context__, _HeadTooLarge):
                self._reject(431, "Request header fields too large")
            else:
                _log.warning("invalid HTTP request: %s", error.__context__ or error)
                self._reject(400, "Invalid HTTP request")
        except httptools.HttpParserError:
            self._reject(400, "Invalid HTTP request")

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        self.timer.cancel()
        self.idle_deadline = self.head_deadline = None
        for cycle in (self.current, *self.queued):
            if cycle is not None:
                cycle.disconnect()
        self.queued.clear()
        if self.writable is not None and not self.writable.done():
            self.writable.set_result(None)

    def pause_writing(self) -> None:
        if self.writable is None or self.writable.done():
            self.writable = self.loop.create_future()

    def resume_writing(self) -> None:
        if self.writable is not None and not self.writable.done():
            self.writable.set_result(None)
        self.writable = None

    # --- httptools callbacks ------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self.url = b""
        self.headers = []
        self.head_bytes = 0
        self.expect_continue = False
        if self.head_deadline is None:
            self.head_deadline = self.loop.time() + self.server.head_timeout
            self.timer.arm(self.loop, self.head_deadline)

    def on_url(self, url: bytes) -> None:
        self.url += url
        self._count(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        self.head_bytes += len(name) + len(value)  # `_count`, inline: a call per header adds up
        if self.head_bytes > self.server.max_head_bytes:
            raise _HeadTooLarge
        name = name.lower()
        if name == b"expect" and value.lower() == b"100-continue":
            self.expect_continue = True
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.head_deadline = None
        parser = self.parser
        method = parser.get_method().decode("ascii")
        url = self.url
        if url[:1] == b"/" and b"?" not in url and b"#" not in url:
            raw_path, query = url, b""  # the usual `/graphql`: nothing for parse_url to split
        else:
            parsed = httptools.parse_url(url)
            raw_path, query = parsed.path or b"/", parsed.query or b""
        path = raw_path.decode("latin-1")
        scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": parser.get_http_version(),
            "server": self.local,
            "client": self.client,
            "scheme": "http",
            "method": method,
            "root_path": "",
            "path": unquote(path) if "%" in path else path,
            "raw_path": raw_path,
            "query_string": query,
            "headers": self.headers,
            "state": state.copy() if (state := self.server.state) else {},
        }
        cycle = _Cycle(self, scope, parser.should_keep_alive(), self.expect_continue)
        if parser.should_upgrade():
            cycle.upgrade = True  # not run: `_ignore_upgrade` parses the request again
            self.parsing = cycle
            return
        self.parsing = cycle
        if self.current is None:
            self._start(cycle)
        else:
            self.queued.append(cycle)
            self.pause_input()  # one pipelined request at a time is plenty

    def on_body(self, body: bytes) -> None:
        cycle = self.parsing
        if cycle is not None and not cycle.complete:
            cycle.body.append(body)
            cycle.buffered += len(body)
            if cycle.buffered > _BODY_HIGH_WATER:
                self.pause_input()
            cycle.wake()

    def on_message_complete(self) -> None:
        cycle = self.parsing
        if cycle is not None:
            cycle.more_body = False
            cycle.wake()

    # --- request flow -------------------------------------------------------------------------

    def _start(self, cycle: _Cycle) -> None:
        self.current = cycle
        task = self.loop.create_task(cycle.run(self.server.app))
        self.server.tasks.add(task)
        task.add_done_callback(self.server.tasks.discard)

    def response_complete(self, cycle: _Cycle) -> None:
        """The answer to `cycle` is out: close, or go on with the next request."""
        transport = self.transport
        assert transport is not None
        if not cycle.keep_alive or cycle.more_body or self.closing:
            # (A request body not read to its end leaves the stream mid-message: close.)
            self.queued.clear()
            transport.close()
            return
        self.current = None
        if self.queued:
            self._start(self.queued.popleft())
        else:
            self._idle_after(self.server.keep_alive)
        self.resume_input()

    def shutdown(self) -> None:
        """Graceful stop: close now when idle, else right after the answer in progress."""
        self.closing = True
        if self.current is not None:
            self.current.keep_alive = False  # its answer says `connection: close`, if not yet out
        elif self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    def _ignore_upgrade(self, rest: bytes) -> None:
        """httptools stops at a request asking to switch protocols (`Upgrade: h2c`, websocket)
        and hands over the bytes after its head. We switch to nothing: parse the same request
        again without the upgrade, its body and anything after it included."""
        cycle, self.parsing = self.parsing, None
        if cycle is None or not cycle.upgrade or cycle.scope["method"] == "CONNECT":
            self._reject(400, "Invalid HTTP request")
            return
        method, version = cycle.scope["method"].encode(), cycle.scope["http_version"].encode()
        head = [b"%s %s HTTP/%s\r\n" % (method, self.url, version)]
        for name, value in cycle.scope["headers"]:
            if name == b"upgrade":
                continue
            kept = value
            if name == b"connection":
                tokens = [t.strip() for t in value.split(b",")]
                kept = b", ".join(t for t in tokens if t.lower() != b"upgrade")
                if not kept:
                    continue
            head.append(b"%s: %s\r\n" % (name, kept))
        self.parser = httptools.HttpRequestParser(self)
        self.data_received(b"".join(head) + b"\r\n" + rest)

    def _reject(self, status: int, message: str) -> None:
        """A request we cannot parse: answer it (unless one is being answered) and close."""
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        self.queued.clear()
        self.parsing = None
        if self.current is not None:
            self.current.keep_alive = False  # close once the answer in progress is out
            self.pause_input()
            return
        transport.write(_plain(status, message))
        transport.close()

    def _idle_after(self, seconds: float) -> None:
        self.idle_deadline = self.loop.time() + seconds
        self.timer.arm(self.loop, self.idle_deadline)

    def _tick(self) -> None:
        """The timer fired: act on a deadline that has come, re-arm for one that moved on."""
        if self.head_deadline is not None and due(self.loop, self.head_deadline):
            self.head_deadline = None
            self._reject(408, "Request head not received in time")
        elif self.idle_deadline is not None and due(self.loop, self.idle_deadline):
            self.idle_deadline = None
            if self.current is None and self.transport is not None:
                self.transport.close()
        pending = [d for d in (self.head_deadline, self.idle_deadline) if d is not None]
        transport = self.transport
        if pending and transport is not None and not transport.is_closing():
            self.timer.arm(self.loop, min(pending))

    def _count(self, size: int) -> None:
        self.head_bytes += size
        if self.head_bytes > self.server.max_head_bytes:
            raise _HeadTooLarge

    def pause_input(self) -> None:
        if not self.reading_paused and self.transport is not None:
            self.reading_paused = True
            self.transport.pause_reading()

    def resume_input(self) -> None:
        if self.reading_paused and self.transport is not None and not self.transport.is_closing():
            self.reading_paused = False
            self.transport.resume_reading()


class _Cycle:
    """One request and its answer: the ASGI `receive` and `send` of one app call."""

    __slots__ = (
        "body",
        "buffered",
        "chunked",
        "complete",
        "connection",
        "disconnected",
        "expect_continue",
        "head",
        "head_only",
        "keep_alive",
        "more_body",
        "read_all",
        "remaining",
        "scope",
        "started",
        "upgrade",
        "waiter",
    )

    def __init__(
        self, connection: _Connection, scope: Scope, keep_alive: bool, expect_continue: bool
    ) -> None:
        self.connection = connection
        self.scope = scope
        self.keep_alive = keep_alive
        self.expect_continue = expect_continue
        self.upgrade = False
        self.body: list[bytes] = []
        self.buffered = 0
        self.more_body = True
        self.read_all = False  # the app got the last body chunk
        self.waiter: asyncio.Future[None] | None = None
        self.disconnected = False
        self.started = False
        self.complete = False
        self.head: list[bytes] | None = None  # written with the first body chunk
        self.head_only = scope["method"] == "HEAD"
        self.chunked = False
        self.remaining = -1  # Content-Length bytes still to send (-1: none declared)

    def wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def disconnect(self) -> None:
        if not self.complete:
            self.disconnected = True
        self.wake()

    async def run(self, app: App) -> None:
        transport = self.connection.transport
        assert transport is not None
        try:
            await app(self.scope, self.receive, self.send)
        except asyncio.CancelledError:
            transport.close()
            raise
        except Exception:  # noqa: BLE001 - any app failure is a 500, not a dropped connection
            _log.exception("unhandled error in the ASGI app")
            if not self.started and not self.disconnected:
                self.keep_alive = False
                transport.write(_plain(500, "Internal Server Error"))
                self.complete = True
                self.connection.response_complete(self)
            else:
                transport.close()
            return
        if self.disconnected or self.complete:
            return
        what = "ending" if self.started else "starting"
        _log.error("the ASGI app returned without %s its response", what)
        if self.started:
            transport.close()
        else:
            self.keep_alive = False
            transport.write(_plain(500, "Internal Server Error"))
            self.complete = True
            self.connection.response_complete(self)

    async def receive(self) -> Message:
        connection = self.connection
        transport = connection.transport
        assert transport is not None
        if self.expect_continue:
            self.expect_continue = False
            if not transport.is_closing():
                transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        # Nothing to hand over yet, or all handed over: wait (for the body, or the disconnect).
        waits = self.read_all or (self.more_body and not self.body)
        if waits and not self.disconnected and not self.complete:
            connection.resume_input()
            self.waiter = connection.loop.create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        if self.disconnected or self.complete:
            return _DISCONNECT
        body = self.body[0] if len(self.body) == 1 else b"".join(self.body)
        self.body = []
        if self.buffered > _BODY_HIGH_WATER:
            connection.resume_input()
        self.buffered = 0
        self.read_all = not self.more_body
        return {"type": "http.request", "body": body, "more_body": self.more_body}

    async def send(self, message: Message) -> None:
        connection = self.connection
        if connection.writable is not None and not self.disconnected:
            await connection.writable
        if self.disconnected:
            return
        kind = message["type"]
        if not self.started:
            if kind != "http.response.start":
                raise RuntimeError(f"expected 'http.response.start', got {kind!r}")
            self._start(int(message["status"]), message.get("headers") or ())
            return
        if kind != "http.response.body" or self.complete:
            raise RuntimeError(f"unexpected ASGI message {kind!r} after the response began")
        self._body(bytes(message.get("body", b"")), bool(message.get("more_body", False)))

    def _start(self, status: int, headers: Any) -> None:
        head = [_STATUS_LINES.get(status, b"HTTP/1.1 %d \r\n" % status)]
        close = False
        for name, value in headers:
            if name not in _GOOD_NAMES:
                if not _TOKEN.fullmatch(name):
                    raise RuntimeError(f"invalid response header {name!r}")
                if len(_GOOD_NAMES) < 256:  # apps send a few names, over and over
                    _GOOD_NAMES.add(name)
            if _BAD_VALUE.search(value):
                raise RuntimeError(f"invalid response header {name!r}")
            lower = name.lower()
            if lower == b"content-length":
                self.remaining = int(value)
            elif lower == b"transfer-encoding":
                self.chunked = value.lower() == b"chunked"
            elif lower == b"connection" and b"close" in value.lower():
                self.keep_alive = False
                close = True
            head += (name, b": ", value, b"\r\n")
        head.append(_date_header())
        self.started = True  # (after the checks: a bad header still leaves room for a 500)
        self.expect_continue = False
        if not self.keep_alive and not close:
            head.append(b"connection: close\r\n")
        if status in _NO_BODY_STATUS and self.remaining < 0:
            self.remaining = 0
        self.head = head

    def _head(self, body: bytes, more: bool) -> bytes:
        """The response head, framed by what the first body chunk shows: all of the body in
        one chunk gets a Content-Length, a stream is chunked (close-delimited for HTTP/1.0)."""
        head = self.head
        assert head is not None
        self.head = None
        if self.remaining < 0 and not self.chunked:
            if more and self.scope["http_version"] == "1.0":
                self.keep_alive = False  # no chunked encoding in HTTP/1.0: the close ends it
                self.remaining = _UNTIL_CLOSE
                if b"connection: close\r\n" not in head:
                    head.append(b"connection: close\r\n")
            elif more:  # a stream: its length is not known yet
                self.chunked = True
                head.append(b"transfer-encoding: chunked\r\n")
            else:
                self.remaining = len(body)
                head.append(b"content-length: %d\r\n" % len(body))
        head.append(b"\r\n")
        return b"".join(head)

    def _body(self, body: bytes, more: bool) -> None:
        connection = self.connection
        transport = connection.transport
        assert transport is not None
        out: list[bytes] = []
        if self.head is not None:
            out.append(self._head(body, more))
        if self.head_only:
            pass
        elif self.chunked:
            if body:
                out += (b"%x\r\n" % len(body), body, b"\r\n")
            if not more:
                out.append(b"0\r\n\r\n")
        elif self.remaining == _UNTIL_CLOSE:
            out.append(body)
        elif body:
            if len(body) > self.remaining:
                raise RuntimeError("response body longer than its Content-Length")
            self.remaining -= len(body)
            out.append(body)
        if out:
            transport.write(out[0] if len(out) == 1 else b"".join(out))
        if not more:
            if not self.head_only and not self.chunked and self.remaining > 0:
                raise RuntimeError("response body shorter than its Content-Length")
            self.complete = True
            self.wake()
            connection.response_complete(self)


def _address(info: Any) -> tuple[str, int] | None:
    if isinstance(info, tuple) and len(info) >= 2:
        return str(info[0]), int(info[1])
    return None
