"""The plan replay of benchmark 1(a): a Sequence runs in turn, a Parallel together, and the
gateway's request alternates with the plan, one iteration each."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bench.plan_replay import replay, summary

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _server(delay: float) -> tuple[asyncio.Server, Counter[str], list[str]]:
    seen: Counter[str] = Counter()
    order: list[str] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            body = (await reader.readexactly(length)).decode()
            seen[body] += 1
            order.append(f"start {body}")
            await asyncio.sleep(delay)
            order.append(f"end {body}")
            answer = b'{"data":{}}'
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(answer), answer))
            await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0), seen, order


async def test_sequence_in_turn_parallel_together_and_paired_with_the_gateway() -> None:
    server, seen, order = await _server(0.01)
    port = server.sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}/graphql"

    def fetch(name: str) -> dict[str, object]:
        return {"fetch": {"url": url, "body": name}}

    spec = {
        "plan": {"seq": [fetch("a"), {"par": [fetch("b"), fetch("c")]}]},
        "headers": {"authorization": "Bearer t"},
        "gateway": {"url": url, "body": "query"},
    }
    async with server:
        times = await replay(spec, 0.5)
    iterations = len(times["plan"])
    assert iterations >= 5
    assert len(times["gateway"]) == iterations  # alternating, one each
    warm_up = 5
    assert seen == dict.fromkeys(("a", "b", "c", "query"), iterations + warm_up)
    # `b` and `c` overlap (Parallel), both start after `a` ended (Sequence).
    first_b = order.index("start b")
    assert order.index("end a") < first_b < order.index("start c") < order.index("end b")
    assert summary(times["plan"])["n"] == iterations
