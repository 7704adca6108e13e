"""Our router's overhead on subgraphs that cost the same every time, and A/B between revisions.

    uv run python bench/overhead_ab.py [--baseline REV] [--baseline-python PATH] [--seconds 60]
                                       [--delay-ms 3] [--args "..."] [--baseline-args "..."]
                                       [--out FILE]

Benchmark 1(a)'s subgraphs vary by milliseconds from one request to the next (sigma 5-7 ms on
the 1M-row tables), so its overhead figures carry intervals of tenths of a millisecond, and an
optimization worth 20 µs cannot be seen there. This benchmark takes 1(a)'s three queries, records
every subgraph request our router sends for them and the real subgraphs' answers (on `ph_bench`),
stops the subgraphs, and serves those answers back from `bench/memo_subgraphs.py` after a fixed
delay per request (`--delay-ms`, default 3: the gateway's core goes idle between hops, as in
1(a)). Then, request by request in a random order each iteration, one client (pinned to core 0
with the memo server) sends the client query through each router under test (pinned to core 1)
and replays the plan's recorded requests itself (`bench/plan_replay.py`, a gateway that costs
nothing). Overhead = p50 through the router - p50 of the replay.

With `--baseline REV`, REV is checked out in a temporary git worktree and runs beside the
working tree's router, both under the same load in the same run: the only comparison of two
revisions that host drift (±20% between runs minutes apart on this VM) does not swamp.
`--baseline-python PATH` runs the baseline (REV, or the working tree without `--baseline`) on
another interpreter, with the project's dependencies installed for it (e.g. a virtual
environment made by `UV_PROJECT_ENVIRONMENT=DIR uv sync --python PATH`). `--args` adds router
options to the working tree's router, `--baseline-args` to the baseline's (which, given alone,
is the working tree too). Both routers share core 1, so a router in latency mode
(`--busy-poll-ms`), which polls for up to its budget after each answer, takes CPU from the other:
measure that mode alone (`--args "--busy-poll-ms 20"` without a baseline) and compare runs. Intervals
are 95% bootstrap intervals over iterations. Writes `bench/results/overhead_ab.md`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.dataset import ensure_dataset  # noqa: E402
from bench.gateways import (  # noqa: E402
    LOAD_CORE,
    Process,
    _machine,
    _pinned,
    _spawn,
    cpu_seconds,
    free_port,
    log,
)
from bench.plan_replay import Connection, Step, _compile, alternate  # noqa: E402
from bench.real_gateways import (  # noqa: E402
    GATEWAY_CORE,
    QUERIES,
    Recorded,
    _body,
    _record_all,
    check,
    compose,
    login,
    overhead_interval,
    plan_tree,
    start_subgraphs,
)

__all__ = ["main"]

RESULTS = ROOT / "bench" / "results"
_WARMUP = 20  # requests per router and query before timing


@dataclass
class Recording:
    """What the real subgraphs said, and where the memo server answers in their place."""

    supergraph: str  # routing to the memo server's ports
    queries: dict[str, Recorded]  # per query: what our router sent and got
    ports: dict[str, int]  # per subgraph: the memo server's port
    tokens: dict[str, dict[str, str]]  # per role: its Authorization header


def record(database_url: str, workdir: Path) -> Recording:
    """Our router's subgraph requests for every query and the real subgraphs' answers."""
    subgraphs = start_subgraphs(database_url, workdir)
    try:
        supergraph = compose(subgraphs, workdir).read_text()
        tokens = {role: login(subgraphs["auth"].url, role) for role in ("doctor", "admin")}
        recorded = asyncio.run(_record_all(supergraph, tokens))
        urls = {name: process.url for name, process in subgraphs.items()}
    finally:
        for process in reversed(subgraphs.values()):
            process.stop()
    # The memo server takes over each subgraph's address.
    ports = {name: free_port() for name in urls}
    for name, url in urls.items():
        memo_url = f"http://127.0.0.1:{ports[name]}/graphql"
        supergraph = supergraph.replace(f'"{url}"', f'"{memo_url}"')
        for query in recorded.values():
            query.requests = {
                key: (service, memo_url if sent_to == url else sent_to, body)
                for key, (service, sent_to, body) in query.requests.items()
            }
    return Recording(supergraph, recorded, ports, tokens)


def start_memo(
    recorded: Mapping[str, Recorded], ports: Mapping[str, int], delay_ms: float, workdir: Path
) -> Process:
    answers = {
        body.decode(): answer.decode()
        for query in recorded.values()
        for body, answer in query.responses.items()
    }
    spec = workdir / "memo.json"
    spec.write_bytes(orjson.dumps({"ports": ports, "answers": answers}))
    argv = [sys.executable, str(ROOT / "bench" / "memo_subgraphs.py"), str(spec)]
    argv += ["--delay-ms", str(delay_ms)]
    process = _spawn("memo", _pinned(argv, LOAD_CORE), "", workdir)
    process.wait_ready(lambda: "ready" in process.log_path.read_text(), timeout=30)
    return process


@contextlib.contextmanager
def checked_out(rev: str) -> Iterator[Path]:
    """REV in a temporary git worktree (removed after)."""
    path = Path(tempfile.mkdtemp(prefix="bench-ab-"))
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), rev],
        check=True,
        capture_output=True,
    )
    try:
        yield path
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(path, ignore_errors=True)


def start_router(  # noqa: PLR0917 - what to run, and where
    name: str, source: Path, python: str, options: Sequence[str], supergraph: Path, workdir: Path
) -> Process:
    """`python -m router` from `source` (a checkout), pinned to the gateway core."""
    port = free_port()
    argv = [python, "-m", "router", "--supergraph", str(supergraph), "--port", str(port)]
    argv += options
    env = {**os.environ, "PYTHONPATH": str(source), "PYTHONUNBUFFERED": "1"}
    url = f"http://127.0.0.1:{port}/graphql"
    process = _spawn(name, _pinned(argv, GATEWAY_CORE), url, workdir, env=env, cwd=source)
    body = {"query": "{ __typename }"}
    process.wait_ready(lambda: httpx.post(url, json=body, timeout=5).status_code == 200)
    return process


async def measure(
    routers: Mapping[str, str],
    recorded: Recorded,
    body: bytes,
    headers: Mapping[str, str],
    seconds: float,
) -> dict[str, list[float]]:
    """Latencies (ms) per iteration: the query through each router and the plan replayed, in a
    random order each iteration."""
    opened: list[Connection] = []
    tree = plan_tree(recorded)
    assert tree is not None
    steps: dict[str, Step] = {"replay": _compile(tree, headers, opened)}
    for name, url in routers.items():
        connection = Connection(url, body, headers)
        opened.append(connection)
        steps[name] = connection.send
    try:
        return await alternate(steps, seconds, warmup=_WARMUP, shuffle=random.Random(7).shuffle)
    finally:
        for connection in opened:
            connection.close()


def write_report(
    samples: Mapping[str, dict[str, list[float]]],
    cpu: Mapping[str, Mapping[str, float]],
    labels: Mapping[str, str],
    *,
    delay_ms: float,
    seconds: float,
    out: Path,
) -> None:
    names = list(labels)
    lines = [
        "# Router overhead on replayed subgraphs (`bench/overhead_ab.py`)",
        "",
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC · {_machine()} · each "
        f"subgraph answer served {delay_ms:g} ms after its request · {seconds:g} s per query, "
        "the routers and the replay alternating in a random order each iteration",
        "",
        "Overhead = p50 through the router - p50 of the replayed plan (95% bootstrap interval); "
        "CPU = the router process's CPU time (user + system) per request served.",
        "",
        "| query | replay p50 | "
        + " | ".join(f"{labels[n]} p50 | {labels[n]} overhead | {labels[n]} CPU" for n in names)
        + (" | difference |" if len(names) == 2 else " |"),
        "|---|---:|" + "---:|---:|---:|" * len(names) + ("---:|" if len(names) == 2 else ""),
    ]
    for query, times in samples.items():
        cells = [query, f"{statistics.median(times['replay']):.2f} ms"]
        for name in names:
            point, low, high = overhead_interval(
                list(zip(times[name], times["replay"], strict=True))
            )
            cells += [
                f"{statistics.median(times[name]):.2f} ms",
                f"{point:.3f} [{low:.3f}, {high:.3f}]",
                f"{cpu[query][name] * 1000:.2f} ms",
            ]
        if len(names) == 2:
            first, second = names
            point, low, high = overhead_interval(
                list(zip(times[second], times[first], strict=True))
            )
            cells.append(f"{point * 1000:+.0f} µs [{low * 1000:+.0f}, {high * 1000:+.0f}]")
        lines.append("| " + " | ".join(cells) + " |")
    if len(names) == 2:
        lines += ["", f"Difference = p50 of {labels[names[1]]} - p50 of {labels[names[0]]}."]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", metavar="REV", help="also run this git revision's router")
    parser.add_argument(
        "--baseline-python",
        metavar="PATH",
        help="the baseline's interpreter (default: this one); alone, the working tree on it",
    )
    parser.add_argument("--args", default="", help="options for the working tree's router")
    parser.add_argument("--baseline-args", help="options for the baseline's router")
    parser.add_argument("--seconds", type=float, default=60.0, help="per query (default 60)")
    parser.add_argument("--delay-ms", type=float, default=3.0, help="per subgraph request")
    parser.add_argument("--out", type=Path, default=RESULTS / "overhead_ab.md")
    args = parser.parse_args(argv)
    database_url = ensure_dataset()
    with tempfile.TemporaryDirectory(prefix="bench-ab-") as tmp, contextlib.ExitStack() as stack:
        workdir = Path(tmp)
        log("recording our router's subgraph requests and the real subgraphs' answers")
        recording = record(database_url, workdir)
        recorded = recording.queries
        supergraph = workdir / "memo.graphql"
        supergraph.write_text(recording.supergraph)
        memo = start_memo(recorded, recording.ports, args.delay_ms, workdir)
        stack.callback(memo.stop)
        options = shlex.split(args.args)
        sources = {"current": (ROOT, sys.executable, options)}
        labels = {"current": " ".join(["working tree", *options])}
        if args.baseline or args.baseline_python or args.baseline_args is not None:
            source = stack.enter_context(checked_out(args.baseline)) if args.baseline else ROOT
            python = args.baseline_python or sys.executable
            baseline_options = shlex.split(args.baseline_args or "")
            sources = {"baseline": (source, python, baseline_options), **sources}
            label = " ".join([args.baseline or "working tree", *baseline_options])
            if args.baseline_python:
                label += f" on {args.baseline_python}"
            labels = {"baseline": label, **labels}
        routers: dict[str, Process] = {}
        for name, (source, python, router_options) in sources.items():
            process = start_router(name, source, python, router_options, supergraph, workdir)
            stack.callback(process.stop)
            check(process, recorded, recording.tokens)
            routers[name] = process
        log(f"routers answer as recorded: {', '.join(labels.values())}")
        os.sched_setaffinity(0, {int(LOAD_CORE)})
        samples: dict[str, dict[str, list[float]]] = {}
        cpu: dict[str, dict[str, float]] = {}
        urls = {name: process.url for name, process in routers.items()}
        for query_name, query in QUERIES.items():
            log(f"{query_name}: {args.seconds:g} s")
            headers = recording.tokens[query.role]
            before = {name: cpu_seconds(p.popen.pid) for name, p in routers.items()}
            times = asyncio.run(
                measure(urls, recorded[query_name], _body(query), headers, args.seconds)
            )
            cpu[query_name] = {
                name: (cpu_seconds(p.popen.pid) - before[name]) / (len(times[name]) + _WARMUP)
                for name, p in routers.items()
            }
            samples[query_name] = times
    write_report(samples, cpu, labels, delay_ms=args.delay_ms, seconds=args.seconds, out=args.out)
    print(args.out.read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
