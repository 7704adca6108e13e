"""The router's HTTP/1.1 server (router/http_server.py) spoken to over raw sockets: keep-alive,
pipelining, request bodies (chunked, large, `Expect: 100-continue`), response framing, HEAD,
ignored upgrades, limits and timeouts, failing apps, disconnects and the graceful drain."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from router.http_server import HttpServer
from router.lifespan import Lifespan, LifespanFailed

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        assert message["type"] == "http.request", message
        chunks.append(message["body"])
        if not message["more_body"]:
            return b"".join(chunks)


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers `METHOD PATH?QUERY body-length` (a delay in ms from the `x-delay` header)."""
    body = await read_body(receive)
    delay = dict(scope["headers"]).get(b"x-delay")
    if delay:
        await asyncio.sleep(int(delay) / 1000)
    text = f"{scope['method']} {scope['path']}?{scope['query_string'].decode()} {len(body)}"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"x-app", b"echo")]})
    await send({"type": "http.response.body", "body": text.encode()})


@asynccontextmanager
async def serving(app: Any = echo, **options: Any) -> AsyncIterator[tuple[HttpServer, int]]:
    server = HttpServer(app, **options)
    _, port = await server.start("127.0.0.1", 0)
    try:
        yield server, port
    finally:
        await server.close()


@asynccontextmanager
async def connect(port: int) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        yield reader, writer
    finally:
        writer.close()


async def response(reader: asyncio.StreamReader) -> tuple[bytes, dict[bytes, bytes], bytes]:
    """One response: status line, headers (lower-case names) and body, framed as sent."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    status, *lines = head[:-4].split(b"\r\n")
    headers = dict(line.split(b": ", 1) for line in lines)
    headers = {k.lower(): v for k, v in headers.items()}
    if b"content-length" in headers:
        body = await reader.readexactly(int(headers[b"content-length"]))
    elif headers.get(b"transfer-encoding") == b"chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n"))[:-2], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    else:
        body = await asyncio.wait_for(reader.read(), 5)  # delimited by the close
    return status, headers, body


def request(path: str = "/graphql", body: bytes = b"", *extra: str, method: str = "POST") -> bytes:
    head = [f"{method} {path} HTTP/1.1", "host: test", f"content-length: {len(body)}", *extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def closed(reader: asyncio.StreamReader) -> bool:
    return await asyncio.wait_for(reader.read(), 5) == b""


async def test_keep_alive_answers_each_request_on_one_connection() -> None:
    async with serving() as (_, port), connect(port) as (reader, writer):
        for n in range(3):
            writer.write(request(f"/graphql?n={n}", b"x" * n))
            status, headers, body = await response(reader)
            assert status == b"HTTP/1.1 200 OK"
            assert body == f"POST /graphql?n={n} {n}".encode()
            assert headers[b"content-length"] == str(len(body)).encode()  # added by the server
            assert b"date" in headers
            assert b"connection" not in headers


async def test_pipelined_requests_are_answered_in_order() -> None:
    async with serving() as (_, port), connect(port) as (reader, writer):
        # The first takes longer than the second: the answers still come in request order.
        writer.write(request("/a", b"", "x-delay: 100") + request("/b") + request("/c", b"zz"))
        bodies = [(await response(reader))[2] for _ in range(3)]
    assert bodies == [b"POST /a? 0", b"POST /b? 0", b"POST /c? 2"]


async def test_chunked_and_large_request_bodies_reach_the_app_whole() -> None:
    big = bytes(range(256)) * 8192  # 2 MiB: reading pauses and resumes as the app reads
    async with serving() as (_, port), connect(port) as (reader, writer):
        chunked = b"POST /graphql HTTP/1.1\r\nhost: t\r\ntransfer-encoding: chunked\r\n\r\n"
        writer.write(chunked + b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        assert (await response(reader))[2] == b"POST /graphql? 11"
        writer.write(request("/graphql", big))
        assert (await response(reader))[2] == f"POST /graphql? {len(big)}".encode()


async def test_expect_100_continue_is_answered_before_the_body_is_sent() -> None:
    async with serving() as (_, port), connect(port) as (reader, writer):
        head = request("/graphql", b"", "expect: 100-continue").replace(
            b"content-length: 0", b"content-length: 4"
        )
        writer.write(head)
        interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        writer.write(b"body")
        assert (await response(reader))[2] == b"POST /graphql? 4"


async def streaming(scope: Scope, receive: Receive, send: Send) -> None:
    await read_body(receive)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    for part in (b"one ", b"two ", b"three"):
        await send({"type": "http.response.body", "body": part, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def test_a_streamed_response_is_chunked_or_ends_with_the_connection_for_http_1_0() -> None:
    async with serving(streaming) as (_, port):
        async with connect(port) as (reader, writer):
            writer.write(request())
            _, headers, body = await response(reader)
            assert headers[b"transfer-encoding"] == b"chunked"
            assert body == b"one two three"
            writer.write(request())  # still open
            assert (await response(reader))[2] == b"one two three"
        async with connect(port) as (reader, writer):
            writer.write(b"GET / HTTP/1.0\r\nconnection: keep-alive\r\n\r\n")
            _, headers, body = await response(reader)
            assert headers[b"connection"] == b"close"
            assert b"transfer-encoding" not in headers
            assert body == b"one two three"


async def test_head_gets_the_length_and_no_body() -> None:
    async with serving() as (_, port), connect(port) as (reader, writer):
        writer.write(request("/x", method="HEAD") + request("/y"))
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert b"content-length: 10\r\n" in head  # "HEAD /x? 0"'s length, no bytes sent
        assert (await response(reader))[2] == b"POST /y? 0"  # the next answer follows at once


async def test_upgrade_requests_are_answered_in_http_1_1_with_their_body() -> None:
    """`curl --http2` on plain HTTP asks for h2c: the server ignores it (RFC 9110 §7.8)."""
    async with serving() as (_, port), connect(port) as (reader, writer):
        upgrade = ("connection: Upgrade, HTTP2-Settings", "upgrade: h2c", "http2-settings: AA")
        writer.write(request("/graphql", b"{}", *upgrade) + request("/next"))
        status, _, body = await response(reader)
        assert status == b"HTTP/1.1 200 OK"
        assert body == b"POST /graphql? 2"
        assert (await response(reader))[2] == b"POST /next? 0"


async def test_connection_close_is_honoured() -> None:
    async with serving() as (_, port), connect(port) as (reader, writer):
        writer.write(request("/graphql", b"", "connection: close"))
        _, headers, _ = await response(reader)
        assert headers[b"connection"] == b"close"
        assert await closed(reader)


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"NOT HTTP AT ALL\r\n\r\n", b"400"),
        (b"GET / HTTP/1.1\r\ncontent-length: nope\r\n\r\n", b"400"),
        (b"GET / HTTP/1.1\r\nx-big: " + b"a" * 70_000 + b"\r\n\r\n", b"431"),
        (b"CONNECT example.com:443 HTTP/1.1\r\nhost: example.com\r\n\r\n", b"400"),
    ],
    ids=["garbage", "bad-length", "head-too-large", "connect"],
)
async def test_unparseable_requests_get_a_plain_error_and_a_close(
    raw: bytes, status: bytes
) -> None:
    async with serving() as (_, port), connect(port) as (reader, writer):
        writer.write(raw)
        line, headers, _ = await response(reader)
        assert line.split()[1] == status
        assert headers[b"connection"] == b"close"
        assert await closed(reader)


async def test_a_slow_request_head_times_out_and_an_idle_connection_closes() -> None:
    async with serving(head_timeout=0.3, keep_alive=0.3) as (_, port):
        async with connect(port) as (reader, writer):
            writer.write(b"POST /graphql HTTP/1.1\r\n")
            await asyncio.sleep(0.15)
            writer.write(b"host: t\r\n")  # still trickling in: the deadline stands
            line, _, _ = await response(reader)
            assert line.split()[1] == b"408"
        async with connect(port) as (reader, writer):
            writer.write(request())
            await response(reader)
            assert await closed(reader)  # nothing more within keep_alive
        async with connect(port) as (reader, _):
            assert await closed(reader)  # never sent a byte


async def test_a_busy_connection_stays_open_past_keep_alive_and_closes_once_idle() -> None:
    """Keep-alive counts from the last answer: requests every 0.2 s hold a connection with a
    0.3 s keep-alive open for over a second; it closes about 0.3 s after the last one."""
    loop = asyncio.get_running_loop()
    async with serving(keep_alive=0.3) as (_, port), connect(port) as (reader, writer):
        for _ in range(6):
            writer.write(request())
            line, _, _ = await response(reader)
            assert line == b"HTTP/1.1 200 OK"
            await asyncio.sleep(0.2)
        writer.write(request())
        await response(reader)
        last = loop.time()
        assert await closed(reader)
        assert 0.25 <= loop.time() - last < 1.0


async def test_a_head_deadline_earlier_than_keep_alive_is_kept() -> None:
    """The connection's one timer, armed for keep-alive (5 s), is moved up for a 0.3 s head."""
    loop = asyncio.get_running_loop()
    async with (
        serving(head_timeout=0.3, keep_alive=5) as (_, port),
        connect(port) as (reader, writer),
    ):
        started = loop.time()
        writer.write(b"POST /graphql HTTP/1.1\r\n")
        line, _, _ = await response(reader)
        assert line.split()[1] == b"408"
        assert loop.time() - started < 1.0


async def failing(scope: Scope, receive: Receive, send: Send) -> None:
    path = scope["path"]
    if path == "/raise":
        raise ValueError("boom")
    if path == "/bad-header":
        headers = [(b"x-injected", b"a\r\nset-cookie: b")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
    if path == "/half":
        headers = [(b"content-length", b"10")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"12345", "more_body": True})
    # "/silent": returns without answering


@pytest.mark.parametrize("path", ["/raise", "/bad-header", "/silent"])
async def test_an_app_that_fails_before_answering_gets_a_500(
    path: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="router.http"):
        async with serving(failing) as (_, port), connect(port) as (reader, writer):
            writer.write(request(path))
            line, headers, body = await response(reader)
            assert line == b"HTTP/1.1 500 Internal Server Error"
            assert body == b"Internal Server Error"  # no trace, no detail
            assert headers[b"connection"] == b"close"
    assert caplog.records, "the failure is logged"


async def test_an_app_that_fails_mid_answer_cuts_the_connection() -> None:
    async with serving(failing) as (_, port), connect(port) as (reader, writer):
        writer.write(request("/half"))
        received = await asyncio.wait_for(reader.read(), 5)
    assert received.endswith(b"12345")  # the client sees a short body, never a wrong one


async def test_a_client_that_goes_away_is_reported_to_the_app() -> None:
    seen: list[str] = []
    answered = asyncio.Event()

    async def waits_for_disconnect(scope: Scope, receive: Receive, send: Send) -> None:
        await read_body(receive)
        seen.append((await receive())["type"])  # blocks until the client leaves
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"too late"})  # a no-op
        answered.set()

    async with serving(waits_for_disconnect) as (_, port):
        async with connect(port) as (_, writer):
            writer.write(request())
            await asyncio.sleep(0.1)
        await asyncio.wait_for(answered.wait(), 5)
    assert seen == ["http.disconnect"]


async def test_a_large_response_waits_for_a_slow_reader_and_reaches_it_whole() -> None:
    payload = bytes(range(256)) * 40_000  # 10 MB in 1 MB chunks
    sent: list[int] = []

    async def large(scope: Scope, receive: Receive, send: Send) -> None:
        await read_body(receive)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for start in range(0, len(payload), 1_000_000):
            chunk = payload[start : start + 1_000_000]
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            sent.append(len(chunk))
        await send({"type": "http.response.body", "body": b""})

    async with serving(large) as (_, port), connect(port) as (reader, writer):
        writer.write(request())
        await asyncio.sleep(0.3)
        # Nothing read yet: sending waits once the socket and write buffers are full, instead
        # of queueing the whole answer in the server's memory.
        assert len(sent) < 10
        _, _, body = await response(reader)
    assert body == payload


async def test_drain_finishes_requests_in_flight_and_refuses_new_connections() -> None:
    async with (
        serving() as (server, port),
        connect(port) as (slow_reader, slow_writer),
        connect(port) as (idle, _),
    ):
        slow_writer.write(request("/slow", b"", "x-delay: 300"))
        await asyncio.sleep(0.05)
        drained = asyncio.create_task(server.drain(5))
        assert await closed(idle)  # an idle keep-alive connection closes at once
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection("127.0.0.1", port)
        _, headers, body = await response(slow_reader)
        assert body == b"POST /slow? 0"
        assert headers[b"connection"] == b"close"
        assert await drained is True


async def test_drain_cuts_requests_that_outlast_it() -> None:
    async with serving() as (server, port), connect(port) as (reader, writer):
        writer.write(request("/stuck", b"", "x-delay: 10000"))
        await asyncio.sleep(0.05)
        assert await server.drain(0.2) is False
        assert await closed(reader)
        assert not server.tasks


async def test_lifespan_reports_start_up_and_shuts_down() -> None:
    events: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "lifespan"
        while True:
            message = await receive()
            events.append(message["type"])
            if message["type"] == "lifespan.startup":
                scope["state"]["ready"] = True
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return

    lifespan = Lifespan(app)
    await lifespan.startup()
    assert lifespan.state == {"ready": True}  # handed to every request as scope["state"]
    await lifespan.shutdown()
    assert events == ["lifespan.startup", "lifespan.shutdown"]


async def test_a_failed_start_up_is_an_error() -> None:
    async def refuses(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "no database"})

    async def raises(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("broken")

    with pytest.raises(LifespanFailed, match="no database"):
        await Lifespan(refuses).startup()
    with pytest.raises(LifespanFailed, match="broken"):
        await Lifespan(raises).startup()
