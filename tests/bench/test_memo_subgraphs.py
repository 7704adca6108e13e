"""`bench/memo_subgraphs.py`: recorded answers come back, after the delay, on a keep-alive
connection, in order; a request that was not recorded gets a 404 naming the problem."""

from __future__ import annotations

import asyncio
import time

from bench.memo_subgraphs import Memo, _response


def _request(body: bytes) -> bytes:
    head = b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-length: %d\r\n\r\n" % len(body)
    return head + body


async def _answer(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.startswith(b"content-length")
    )
    return head.split(b"\r\n")[0], await reader.readexactly(length)


async def test_recorded_answers_after_the_delay_and_404_for_the_rest() -> None:
    answers = {b'{"query":"{ a }"}': b'{"data":{"a":1}}'}
    served = {body: _response(b"200 OK", answer) for body, answer in answers.items()}
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Memo(served, 0.03), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        started = time.perf_counter()
        # Two requests in one write: both answered, in order, on the same connection.
        writer.write(_request(b'{"query":"{ a }"}') + _request(b'{"query":"{ b }"}'))
        status, body = await _answer(reader)
        assert time.perf_counter() - started >= 0.025
        assert (status, body) == (b"HTTP/1.1 200 OK", b'{"data":{"a":1}}')
        status, body = await _answer(reader)
        assert status == b"HTTP/1.1 404 Not Found"
        assert b"NOT_RECORDED" in body
    finally:
        writer.close()
        server.close()
        await server.wait_closed()
