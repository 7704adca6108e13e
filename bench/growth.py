"""Benchmark 2: cost growth through our router — list size (10 → 10,000) and plan depth (1 → 5).

    uv run python bench/growth.py [--seconds 5] [--rounds 3] [--quick]

Starts the chain subgraphs of `bench/growth_subgraphs.py` (memoised: their answers cost a dict
lookup), composes them with Apollo's composition and runs `python -m router` pinned to its own
core. Checks every query's answer against the data model, then measures latency at concurrency
1 with `wrk` (pinned to the other core):

- size: `items(n) { id name next { id name value } }` — one `_entities` hop carrying n keys,
  for n = 10, 100, 1,000, 10,000 (plus the same list with no hop, for reference);
- depth: `items(100)` with 1…5 nested `next` hops (a plan of 1…5 sequential fetches).

Growth is linear when the marginal cost per entity (per hop) stays flat: the report gives the
least-squares line, its R², and per step the marginal ms per 1,000 entities. Writes
`bench/results/growth.md` and `growth.png` (matplotlib).
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.gateways import (  # noqa: E402
    LOAD_CORE,
    Process,
    _pinned,
    free_port,
    log,
    run_wrk,
    start_gateway,
)
from bench.growth_subgraphs import DEPTH, SUBGRAPH_SDL, expected, query  # noqa: E402
from tests.support.apollo import SubgraphSpec, compose_with_apollo  # noqa: E402

__all__ = ["Point", "fit", "main"]

RESULTS = ROOT / "bench" / "results"
SIZES = (10, 100, 1_000, 10_000)
DEPTH_N = 100


@dataclass
class Point:
    series: str
    x: int
    p50: float
    p95: float
    p99: float
    rps: float
    kb: float


def fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float, float]:
    """Least squares y = a + b·x; returns (a, b, R²)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    b = sxy / sxx
    a = my - b * mx
    total = sum((y - my) ** 2 for y in ys)
    residual = sum((y - (a + b * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    return a, b, 1 - residual / total if total else 1.0


def _start_subgraphs(workdir: Path) -> Process:
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "bench.growth_subgraphs:app", "--host=127.0.0.1",
            f"--port={port}", "--loop=uvloop", "--http=httptools", "--no-access-log",
            "--log-level=warning"]  # fmt: skip
    log_path = workdir / "subgraphs.log"
    with log_path.open("wb") as handle:
        popen = subprocess.Popen(
            _pinned(argv, LOAD_CORE), stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True,
        )  # fmt: skip
    process = Process("growth-subgraphs", f"http://127.0.0.1:{port}", popen, log_path)
    process.wait_ready(lambda: httpx.get(process.url + "/health").status_code == 200)
    return process


def _body(n: int, depth: int) -> bytes:
    return orjson.dumps({"query": query(depth), "variables": {"n": n}})


def _check(url: str, n: int, depth: int) -> float:
    """Raise unless the router answers exactly the oracle's data; the response size in KB."""
    response = httpx.post(url, content=_body(n, depth), timeout=60,
                          headers={"content-type": "application/json"})  # fmt: skip
    if response.status_code != 200 or orjson.loads(response.content) != {
        "data": expected(n, depth)
    }:
        raise AssertionError(f"n={n} depth={depth}: {response.status_code} {response.text[:300]}")
    return len(response.content) / 1024


def _measure(
    url: str, series: str, x: int, *, n: int, depth: int, seconds: float, workdir: Path
) -> Point:
    kb = _check(url, n, depth)
    body = _body(n, depth)
    run_wrk(url, body, 1, 1, workdir)  # warm-up
    load = run_wrk(url, body, 1, seconds, workdir)
    log(f"{series} {x}: p50 {load.p50_ms:.2f} ms, p95 {load.p95_ms:.2f} ms ({kb:.0f} KB)")
    return Point(series, x, load.p50_ms, load.p95_ms, load.p99_ms, load.rps, kb)


def _table(points: Sequence[Point], per: str, unit: int) -> list[str]:
    lines = [f"| {per} | response KB | req/s | p50 ms | p95 ms | p99 ms | p50 per {unit:,} {per} "
             f"| marginal ms per {unit:,} {per} |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    previous: Point | None = None
    for p in points:
        marginal = "—"
        if previous is not None:
            marginal = f"{(p.p50 - previous.p50) / (p.x - previous.x) * unit:.3f}"
        lines.append(f"| {p.x:,} | {p.kb:,.0f} | {p.rps:.1f} | {p.p50:.2f} | {p.p95:.2f} | "
                     f"{p.p99:.2f} | {p.p50 / p.x * unit:.3f} | {marginal} |")  # fmt: skip
        previous = p
    return lines


def _report(
    size: list[Point], flat: list[Point], depth: list[Point], started: datetime.datetime
) -> str:
    a, b, r2 = fit([p.x for p in size], [p.p50 for p in size])
    da, db, dr2 = fit([p.x for p in depth], [p.p50 for p in depth])
    flat_a, flat_b, flat_r2 = fit([p.x for p in flat], [p.p50 for p in flat])
    lines = [
        "# Benchmark 2: cost growth through our router",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} shared cores; router "
        "(`python -m router`) pinned to core 1, memoised synthetic subgraphs "
        "(`bench/growth_subgraphs.py`) and `wrk -c1` on core 0. Latency at concurrency 1; each "
        "point is the median of several rounds over all points (the machine is shared).",
        "",
        "![growth](growth.png)",
        "",
        "## List size: one `_entities` hop carrying n keys",
        "",
        "`items(n: $n) { id name next { id name value } }` — 2 fetches (s0, then s1 with n "
        "representations).",
        "",
        *_table(size, "entities", 1000),
        "",
        f"Least squares: p50 = {a:.2f} ms + {b * 1000:.3f} ms per 1,000 entities, R² = {r2:.4f}.",
        "",
        "Same lists without the hop (`items(n) { id name }`, 1 fetch), for reference:",
        "",
        *_table(flat, "entities", 1000),
        "",
        f"Least squares: p50 = {flat_a:.2f} ms + {flat_b * 1000:.3f} ms per 1,000 entities, "
        f"R² = {flat_r2:.4f}.",
        "",
        f"## Plan depth: `items({DEPTH_N})` with 1…{DEPTH} nested hops",
        "",
        *_table(depth, "hops", 1),
        "",
        f"Least squares: p50 = {da:.2f} ms + {db:.3f} ms per hop, R² = {dr2:.4f}.",
        "",
    ]
    return "\n".join(lines)


def _plot(size: list[Point], flat: list[Point], depth: list[Point], out: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib missing (uv sync --group bench): no plot")
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for points, label in ((size, "1 hop (n keys)"), (flat, "no hop")):
        left.plot([p.x for p in points], [p.p50 for p in points], "o-", label=f"{label}, p50")
        left.plot([p.x for p in points], [p.p95 for p in points], "x--", label=f"{label}, p95")
    a, b, _ = fit([p.x for p in size], [p.p50 for p in size])
    xs = [p.x for p in size]
    left.plot(xs, [a + b * x for x in xs], ":", color="grey", label="linear fit (1 hop)")
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("entities in the list")
    left.set_ylabel("latency ms (c=1)")
    left.set_title("List size")
    left.legend(fontsize=8)
    right.plot([p.x for p in depth], [p.p50 for p in depth], "o-", label="p50")
    right.plot([p.x for p in depth], [p.p95 for p in depth], "x--", label="p95")
    right.set_xlabel(f"hops (sequential fetches), {DEPTH_N} entities each")
    right.set_ylabel("latency ms (c=1)")
    right.set_title("Plan depth")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="wrk run per point")
    parser.add_argument("--quick", action="store_true", help="2 s per point, 1 round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all points (median)")
    args = parser.parse_args(argv)
    seconds = 2.0 if args.quick else args.seconds
    if args.quick:
        args.rounds = 1
    started = datetime.datetime.now(datetime.UTC)
    workdir = Path(tempfile.mkdtemp(prefix="ph-growth-"))
    subgraphs = _start_subgraphs(workdir)
    router: Process | None = None
    try:
        specs = [SubgraphSpec(n, f"{subgraphs.url}/{n}", sdl) for n, sdl in SUBGRAPH_SDL.items()]
        supergraph = workdir / "supergraph.graphql"
        supergraph.write_text(compose_with_apollo(specs))
        router = start_gateway("router", supergraph, workdir)
        points = [("size", n, n, 1) for n in SIZES] + [("no hop", n, n, 0) for n in SIZES]
        points += [("depth", d, DEPTH_N, d) for d in range(1, DEPTH + 1)]
        # Rounds over every point, each point's median round kept: a burst of load from
        # elsewhere on the shared machine spoils one round of a point, not the result.
        rounds: dict[tuple[str, int], list[Point]] = {}
        for _ in range(args.rounds):
            for series, x, n, d in points:
                measured = _measure(router.url, series, x, n=n, depth=d, seconds=seconds,
                                    workdir=workdir)  # fmt: skip
                rounds.setdefault((series, x), []).append(measured)
        chosen = {key: sorted(ps, key=lambda p: p.p50)[len(ps) // 2] for key, ps in rounds.items()}
        size = [chosen[("size", n)] for n in SIZES]
        flat = [chosen[("no hop", n)] for n in SIZES]
        depth = [chosen[("depth", d)] for d in range(1, DEPTH + 1)]
    finally:
        if router is not None:
            router.stop()
        subgraphs.stop()
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = _report(size, flat, depth, started)
    (RESULTS / "growth.md").write_text(report)
    _plot(size, flat, depth, RESULTS / "growth.png")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
