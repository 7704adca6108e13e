"""Soak: a mixed query load through the router over the five real subgraphs at a fixed rate.

    uv run python bench/soak.py --minutes 10            # rate: 70 % of the measured maximum
    uv run python bench/soak.py --minutes 10 --fraction 0.5
    uv run python bench/soak.py --minutes 5 --rate 40   # a fixed rate (requests/s)

Uses DATABASE_URL/REDIS_URL (else embedded servers) with a fresh, seeded database of its own;
the subgraphs and the router run as real processes in production mode. Open loop: requests start
on schedule whether or not earlier ones finished, so a slowdown shows as latency, not as a lower
rate. Every 10 s the router's (and subgraphs') RSS is sampled. Writes bench/results/soak.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from subgraphs.kit.seeding import DEMO_LOGINS, DEMO_PASSWORD  # noqa: E402
from subgraphs.kit.settings import SUBGRAPHS  # noqa: E402
from tests.reliability.support import rss_kb  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SAMPLE_EVERY = 10.0

#: (name, query): public and signed-in reads, one subgraph and several (entity fetches).
MIX: tuple[tuple[str, str], ...] = (
    ("specialties", "{ specialties { id name category } }"),
    ("me", "{ me { id email role } }"),
    ("doctors", "{ doctors(first: 10) { totalCount edges { node { id firstName lastName } } } }"),
    ("institutions", "{ institutions(first: 5) { totalCount edges { node { id name region } } } }"),
    ("patients+doctor+institution",
     "{ patients(first: 10) { edges { node { id firstName age doctor { id lastName } "
     "institution { id name } } } } }"),
    ("patientCount", "{ patientCount }"),
)  # fmt: skip


@dataclass
class Soak:
    """What one run measured."""

    rate: float
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: list[str] = field(default_factory=list)
    rss: list[tuple[float, dict[str, int]]] = field(default_factory=list)  # (t, name -> kB)
    by_query: dict[str, int] = field(default_factory=dict)

    @property
    def sent(self) -> int:
        return len(self.latencies) + len(self.errors)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def rss_slope(self, name: str = "router") -> float:
        """MB per minute, least squares over the samples after the first (warm-up) one."""
        points = [(t / 60, kb[name] / 1024) for t, kb in self.rss[1:] if name in kb]
        if len(points) < 2:
            return 0.0
        xs, ys = zip(*points, strict=True)
        return statistics.linear_regression(xs, ys).slope

    def rss_growth(self, name: str = "router") -> float:
        """MB from the first sample after warm-up to the last one."""
        points = [kb[name] / 1024 for _, kb in self.rss[1:] if name in kb]
        return points[-1] - points[0] if len(points) >= 2 else 0.0


async def _one(client: httpx.AsyncClient, url: str, name: str, query: str, soak: Soak) -> None:
    started = time.perf_counter()
    try:
        response = await client.post(url, json={"query": query})
        body = response.json()
    except (httpx.HTTPError, ValueError) as error:
        soak.errors.append(f"{name}: {type(error).__name__}")
        return
    if response.status_code != 200 or body.get("errors"):
        soak.errors.append(f"{name}: {response.status_code} {str(body.get('errors'))[:200]}")
        return
    soak.latencies.append(time.perf_counter() - started)
    soak.by_query[name] = soak.by_query.get(name, 0) + 1


async def drive(url: str, token: str, *, rate: float, seconds: float, pids: dict[str, int]) -> Soak:
    """Open-loop load at `rate` requests/s for `seconds`, sampling RSS of `pids` every 10 s."""
    soak = Soak(rate, seconds)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=30, limits=limits, headers=headers) as client:
        start = time.perf_counter()
        next_sample = 0.0
        tasks: set[asyncio.Task[None]] = set()
        sent = 0
        while (now := time.perf_counter() - start) < seconds:
            if now >= next_sample:
                soak.rss.append((now, {name: rss_kb(pid) for name, pid in pids.items()}))
                next_sample += SAMPLE_EVERY
            due = int(now * rate) + 1
            while sent < due:
                name, query = MIX[sent % len(MIX)]
                task = asyncio.create_task(_one(client, url, name, query, soak))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                sent += 1
            await asyncio.sleep(max(0.0, (sent / rate) - (time.perf_counter() - start)))
        if tasks:
            await asyncio.wait(tasks, timeout=60)
        soak.rss.append((time.perf_counter() - start, {n: rss_kb(p) for n, p in pids.items()}))
    return soak


async def measure_max(
    url: str, token: str, *, seconds: float = 10.0, concurrency: int = 8
) -> float:
    """Closed loop: `concurrency` workers back to back; successful requests per second."""
    done = 0
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=30, headers=headers) as client:
        deadline = time.perf_counter() + seconds

        async def worker(offset: int) -> None:
            nonlocal done
            i = offset
            while time.perf_counter() < deadline:
                query = MIX[i % len(MIX)][1]
                response = await client.post(url, json={"query": query})
                if response.status_code == 200 and not response.json().get("errors"):
                    done += 1
                i += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        return done / (time.perf_counter() - started)


def sign_in(auth_url: str) -> str:
    query = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }"
    variables = {"e": DEMO_LOGINS["admin"], "p": DEMO_PASSWORD}
    body = httpx.post(auth_url, json={"query": query, "variables": variables}, timeout=60).json()
    return str(body["data"]["login"]["accessToken"])


@contextlib.contextmanager
def stack() -> Iterator[tuple[str, str, dict[str, int]]]:
    """A fresh seeded database, the five subgraphs and the router as processes (production):
    yields (router URL, auth URL, process ids by name)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from subgraphs.kit.migrations import migrate
    from subgraphs.kit.seeding import SeedPlan, seed
    from tests.reliability.support import launch_subgraph, start_router, supergraph_for
    from tests.support.gateway_process import RunningGateway, free_port
    from tests.support.infra import create_test_infra, drop_test_infra

    infra = asyncio.run(create_test_infra())
    running: list[RunningGateway] = []
    try:
        for name in SUBGRAPHS:
            migrate(name, infra.database_url)

        async def seeded() -> None:
            engine = create_async_engine(infra.database_url)
            try:
                await seed(engine, SeedPlan(patients=2000, seed=9, rounds=4), lambda *_: None)
            finally:
                await engine.dispose()

        asyncio.run(seeded())
        ports = {name: free_port() for name in SUBGRAPHS}
        peers = {name: f"http://127.0.0.1:{port}/graphql" for name, port in ports.items()}
        launching = [launch_subgraph(n, peers, infra, port=ports[n]) for n in SUBGRAPHS]
        running += [process.wait(120) for process in launching]
        folder = Path(tempfile.mkdtemp(prefix="soak-"))
        router = start_router(supergraph_for(peers, folder), env={"ENVIRONMENT": "production"})
        running.append(router)
        pids = {g.name: g.process.pid for g in running if g.process is not None}
        yield router.url, peers["auth"], pids
    finally:
        for gateway in running:
            gateway.stop()
        asyncio.run(drop_test_infra(infra))


def report(soak: Soak, maximum: float | None, command: str) -> str:
    first = soak.rss[1][1] if len(soak.rss) > 1 else soak.rss[0][1]
    last = soak.rss[-1][1]
    rows = "\n".join(
        f"| {name} | {first[name] // 1024} | {last[name] // 1024} | {soak.rss_slope(name):+.2f} |"
        for name in last
    )
    errors = "\n".join(f"- {e}" for e in soak.errors[:20]) or "none"
    achieved = len(soak.latencies) / soak.seconds if soak.seconds else 0.0
    return f"""# Soak — mixed queries through the router over the five subgraphs

{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.processor() or platform.machine()}, {_cores()} cores
(shared), Python {platform.python_version()}. Production mode, fresh database (2000 patients).

Command: `{command}`

| | |
|---|---|
| measured maximum (closed loop, c=8) | {f"{maximum:.0f} req/s" if maximum else "not measured (--rate given)"} |
| target rate (open loop) | {soak.rate:.1f} req/s |
| duration | {soak.seconds / 60:g} min |
| requests | {soak.sent} ({achieved:.1f} req/s successful) |
| errors | {len(soak.errors)} |
| latency p50 / p95 / p99 / max | {soak.percentile(50):.1f} / {soak.percentile(95):.1f} / {soak.percentile(99):.1f} / {max(soak.latencies, default=0) * 1000:.1f} ms |

Query mix (round robin): {", ".join(f"`{n}` {soak.by_query.get(n, 0)}" for n, _ in MIX)}.

RSS (MB) — first sample after warm-up, last sample, least-squares slope (MB/min):

| process | first | last | slope |
|---|---|---|---|
{rows}

Errors (first 20): {errors}
"""


def _cores() -> int:
    import os

    return os.cpu_count() or 0


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument(
        "--rate", type=float, help="requests/s (default: --fraction of the maximum)"
    )
    parser.add_argument(
        "--fraction", type=float, default=0.7, help="of the measured maximum (default 0.7)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "soak.md")
    args = parser.parse_args(argv)
    with stack() as (url, auth_url, pids):
        token = sign_in(auth_url)
        asyncio.run(measure_max(url, token, seconds=3))  # warm-up
        maximum = None
        rate = args.rate
        if rate is None:
            maximum = asyncio.run(measure_max(url, token))
            rate = args.fraction * maximum
            print(f"maximum {maximum:.0f} req/s; soaking at {rate:.1f} req/s", flush=True)
        soak = asyncio.run(drive(url, token, rate=rate, seconds=args.minutes * 60, pids=pids))
    command = "uv run python bench/soak.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = report(soak, maximum, command)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
