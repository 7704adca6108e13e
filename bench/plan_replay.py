"""The subgraphs' own critical path of a query: its recorded subgraph requests replayed in plan
order, as a gateway that costs nothing would send them.

    python bench/plan_replay.py SPEC.json --seconds 4   (prints one JSON line of latencies)

SPEC is a plan tree: ``{"seq": [node, ...]}``, ``{"par": [node, ...]}`` or
``{"fetch": {"url": ..., "body": ...}}``, plus ``"headers"`` sent with every fetch. Each
iteration runs the tree once (a `seq` awaits each child in turn, a `par` runs its children
together) and is timed end to end; iterations follow each other as a gateway's requests do at
c=1, so every subgraph sees the same access pattern (one request, then idle while the others
work) as behind a gateway. The client is a few lines of raw HTTP/1.1 over keep-alive sockets on
uvloop, with every request's bytes built up front: its own cost (tens of microseconds per hop)
is counted in the critical path, never in a gateway's overhead.

With ``"gateway": {"url": ..., "body": ...}`` in SPEC, iterations alternate: the client query
through the gateway, then the plan replayed, each timed by the same client. Paired this way the
two see the same machine and the same subgraph state, so drift (other processes, PostgreSQL's
caches) falls out of the difference: the gateway's overhead is p50(gateway) - p50(replay).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Connection", "alternate", "replay", "summary"]

Step = Callable[[], Awaitable[None]]


class Connection:
    """One keep-alive HTTP/1.1 connection sending the same prepared request over and over."""

    def __init__(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        lines = [
            f"POST {parts.path or '/'} HTTP/1.1",
            f"host: {parts.netloc}",
            "content-type: application/json",
            "accept: application/json",
            f"content-length: {len(body)}",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        self.request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self) -> None:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(self.request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = head[9:12]
        if status != b"200":
            raise RuntimeError(f"subgraph answered {status.decode()}: {head[:200]!r}")
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _compile(node: Mapping[str, Any], headers: Mapping[str, str], opened: list[Connection]) -> Step:
    if "fetch" in node:
        connection = Connection(node["fetch"]["url"], node["fetch"]["body"].encode(), headers)
        opened.append(connection)
        return connection.send
    children = [_compile(child, headers, opened) for child in node.get("seq") or node["par"]]
    if "seq" in node:

        async def sequence() -> None:
            for child in children:
                await child()

        return sequence

    async def parallel() -> None:
        await asyncio.gather(*(child() for child in children))

    return parallel


async def replay(spec: Mapping[str, Any], seconds: float) -> dict[str, list[float]]:
    """Per-iteration latencies (ms) for `seconds`: "plan" (the tree replayed back to back), and
    "gateway" (the client query, alternating with the plan) when SPEC names a gateway."""
    opened: list[Connection] = []
    headers = spec.get("headers", {})
    steps: dict[str, Step] = {"plan": _compile(spec["plan"], headers, opened)}
    if spec.get("gateway"):
        gateway = Connection(spec["gateway"]["url"], spec["gateway"]["body"].encode(), headers)
        opened.append(gateway)
        steps = {"gateway": gateway.send, **steps}
    try:
        return await alternate(steps, seconds)
    finally:
        for connection in opened:
            connection.close()


async def alternate(
    steps: Mapping[str, Step],
    seconds: float,
    *,
    warmup: int = 5,
    shuffle: Callable[[list[str]], None] | None = None,
) -> dict[str, list[float]]:
    """Latencies (ms) of each step, run one after another per iteration for `seconds` (in the
    order `shuffle` leaves them each time, when given), after `warmup` untimed runs each."""
    for step in steps.values():  # connect and warm up
        for _ in range(warmup):
            await step()
    times: dict[str, list[float]] = {name: [] for name in steps}
    order = list(steps)
    clock = time.perf_counter
    deadline = clock() + seconds
    while clock() < deadline:
        if shuffle is not None:
            shuffle(order)
        for name in order:
            started = clock()
            await steps[name]()
            times[name].append((clock() - started) * 1000)
    return times


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {"n": len(times), "p50": statistics.median(times), "p95": at(0.95), "p99": at(0.99)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spec", type=Path, help="the plan tree with its recorded requests (JSON)")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument(
        "--samples", action="store_true", help="also print every latency (ms), in run order"
    )
    args = parser.parse_args(argv)
    spec = json.loads(args.spec.read_text())
    try:
        import uvloop

        times = uvloop.run(replay(spec, args.seconds))
    except ImportError:  # pragma: no cover - uvloop is a dependency of the project
        times = asyncio.run(replay(spec, args.seconds))
    out: dict[str, Any] = {name: summary(values) for name, values in times.items()}
    if args.samples:
        out["samples"] = times
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
