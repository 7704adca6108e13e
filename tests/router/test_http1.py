"""The router's own HTTP/1.1 client (router/executor/http1.py) against raw servers: keep-alive,
responses framed by length, chunks or the end of the connection, and connections that die."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from router.executor.fetcher import SubgraphClient, SubgraphFetchError
from tests.router.servers import free_port

Handler = Callable[[int, bytes], Awaitable[bytes | None]]  # (request number, request) -> reply
OK = b'{"data": {"ok": true}}'
CLOSE = b"<close after>"  # reply prefix: the server closes the connection after writing


def _reply(body: bytes = OK, extra: bytes = b"") -> bytes:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
    return head + b"content-length: %d\r\n" % len(body) + extra + b"\r\n" + body


@asynccontextmanager
async def raw_server(handler: Handler) -> AsyncIterator[tuple[str, list[int]]]:
    """Serve `handler` per request; yields the URL and the number of connections accepted."""
    connections: list[int] = []
    counter = [0]

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                body = await reader.readexactly(length)
                counter[0] += 1
                reply = await handler(counter[0], head + body)
                if reply is None:
                    break  # close without answering
                writer.write(reply.removeprefix(CLOSE))
                await writer.drain()
                if reply.startswith(CLOSE):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    port = free_port()
    server = await asyncio.start_server(serve, "127.0.0.1", port)
    try:
        yield f"http://127.0.0.1:{port}/graphql", connections
    finally:
        server.close()


async def _post(client: SubgraphClient, url: str, query: str = "{ ok }") -> object:
    return await client.post("s", url, {"query": query}, {"authorization": "Bearer t"}, 10.0)


async def test_keep_alive_reuses_one_connection_and_forwards_headers() -> None:
    seen: list[bytes] = []

    async def handler(_: int, request: bytes) -> bytes:
        seen.append(request)
        return _reply()

    client = SubgraphClient()
    try:
        async with raw_server(handler) as (url, connections):
            for _ in range(3):
                assert await _post(client, url) == {"data": {"ok": True}}
            assert len(connections) == 1
            head = seen[0].split(b"\r\n\r\n")[0].lower()
            assert head.startswith(b"post /graphql http/1.1")
            assert b"\r\nauthorization: bearer t" in head
            assert seen[0].endswith(b'{"query":"{ ok }"}')
    finally:
        await client.close()


@pytest.mark.parametrize(
    "reply",
    [
        # chunked
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
        b"b\r\n" + OK[:11] + b"\r\n" + b"%x\r\n" % len(OK[11:]) + OK[11:] + b"\r\n0\r\n\r\n",
        # Connection: close, framed by length
        _reply(extra=b"connection: close\r\n"),
    ],
)
async def test_chunked_and_closing_responses(reply: bytes) -> None:
    async def handler(_: int, __: bytes) -> bytes:
        return reply

    client = SubgraphClient()
    try:
        async with raw_server(handler) as (url, _):
            assert await _post(client, url) == {"data": {"ok": True}}
            assert await _post(client, url) == {"data": {"ok": True}}
    finally:
        await client.close()


async def test_a_body_delimited_by_the_end_of_the_connection() -> None:
    async def handler(_: int, __: bytes) -> bytes:
        return CLOSE + b"HTTP/1.0 200 OK\r\ncontent-type: application/json\r\n\r\n" + OK

    client = SubgraphClient()
    try:
        async with raw_server(handler) as (url, connections):
            assert await _post(client, url) == {"data": {"ok": True}}
            assert await _post(client, url) == {"data": {"ok": True}}
            assert len(connections) == 2
    finally:
        await client.close()


async def test_a_connection_closed_under_a_reused_request_is_retried_for_queries_only() -> None:
    async def handler(number: int, _: bytes) -> bytes | None:
        # Every second request on a connection dies unanswered (an idle close racing our write).
        return None if number % 2 == 0 else _reply()

    client = SubgraphClient(dedupe=False)
    try:
        async with raw_server(handler) as (url, connections):
            assert await _post(client, url) == {"data": {"ok": True}}
            assert await _post(client, url) == {"data": {"ok": True}}  # retried on a new one
            assert len(connections) == 2
            with pytest.raises(SubgraphFetchError, match="Server disconnected"):
                await _post(client, url, "mutation { ok }")
    finally:
        await client.close()


async def test_refused_and_timed_out_requests_say_so() -> None:
    client = SubgraphClient()
    try:
        port = free_port()
        with pytest.raises(SubgraphFetchError, match=f"connect ECONNREFUSED 127.0.0.1:{port}"):
            await _post(client, f"http://127.0.0.1:{port}/graphql")

        async def slow(_: int, __: bytes) -> bytes:
            await asyncio.sleep(5)
            return _reply()

        async with raw_server(slow) as (url, _):
            with pytest.raises(SubgraphFetchError, match="Timeout while fetching"):
                await client.post("s", url, {"query": "{ ok }"}, {}, 0.3)
    finally:
        await client.close()


async def test_at_most_the_limit_in_flight_per_host_the_rest_queue() -> None:
    """Requests beyond `max_connections_per_host` wait for a slot in arrival order; a wait
    counts against the request's timeout, and a request that gives up passes no slot away."""
    in_flight = [0]
    most = [0]

    async def slowish(_: int, __: bytes) -> bytes:
        in_flight[0] += 1
        most[0] = max(most[0], in_flight[0])
        await asyncio.sleep(0.2)
        in_flight[0] -= 1
        return _reply()

    client = SubgraphClient(max_connections_per_host=2, dedupe=False)
    try:
        async with raw_server(slowish) as (url, connections):
            answers = await asyncio.gather(*(_post(client, url) for _ in range(6)))
            assert answers == [{"data": {"ok": True}}] * 6
            assert most[0] == 2
            assert len(connections) == 2  # the queued ones reused the two connections

            # Two slots busy for 0.2 s: a third with 0.05 s to spare times out while queued.
            busy = [asyncio.ensure_future(_post(client, url)) for _ in range(2)]
            await asyncio.sleep(0.01)
            with pytest.raises(SubgraphFetchError, match="Timeout while fetching"):
                await client.post("s", url, {"query": "{ ok }"}, {}, 0.05)
            assert await asyncio.gather(*busy) == [{"data": {"ok": True}}] * 2
            # Slots are neither lost nor gained: of three new requests exactly two run at once
            # (a lost slot would run them one by one, a gained one all three together).
            most[0] = 0
            answers = await asyncio.gather(*(_post(client, url) for _ in range(3)))
            assert answers == [{"data": {"ok": True}}] * 3
            assert most[0] == 2
    finally:
        await client.close()


async def test_each_request_keeps_its_own_deadline_on_a_reused_connection() -> None:
    """The answer timer is lazy (one per connection, re-armed when it fires early). Armed for
    the first request's 0.1 s, it fires while the second (0.4 s) waits: that request must time
    out at its own deadline, neither at the first's nor never."""

    async def first_fast_then_silent(number: int, _: bytes) -> bytes:
        if number == 1:
            return _reply()
        await asyncio.sleep(5)
        return _reply()

    client = SubgraphClient(dedupe=False)
    loop = asyncio.get_running_loop()
    try:
        async with raw_server(first_fast_then_silent) as (url, connections):
            assert await client.post("s", url, {"query": "{ ok }"}, {}, 0.1) == {
                "data": {"ok": True}
            }
            started = loop.time()
            with pytest.raises(SubgraphFetchError, match="Timeout while fetching"):
                await client.post("s", url, {"query": "{ ok }"}, {}, 0.4)
            waited = loop.time() - started
            assert 0.38 <= waited < 1.0, waited
            assert len(connections) == 1  # the second request went over the first's connection

        async def answers_late(number: int, _: bytes) -> bytes:
            await asyncio.sleep(0.25 if number == 2 else 0)
            return _reply()

        async with raw_server(answers_late) as (url, _):
            assert await client.post("s", url, {"query": "{ ok }"}, {}, 0.2)
            # Armed for 0.2 s by the first request, the timer fires mid-way through this one
            # (0.25 s of its 0.5 s) and must re-arm rather than fail it.
            assert await client.post("s", url, {"query": "{ ok }"}, {}, 0.5) == {
                "data": {"ok": True}
            }
    finally:
        await client.close()
