"""Benchmark 1(b): our router vs Apollo Gateway vs Hive Gateway over fast synthetic subgraphs.

    uv run python bench/gateways.py [--quick] [--concurrency 1 8 32] [--seconds 10]

Starts the synthetic accounts/products/reviews subgraphs (`bench/synthetic.py`), composes them
with Apollo's composition, checks that every gateway returns exactly the oracle's answer for the
benchmark query, then loads each gateway in turn with `wrk` at fixed concurrency levels.
Reports requests/s, p50/p95/p99, gateway CPU and peak RSS, and router overhead (gateway p50 at
concurrency 1 minus the subgraphs' own critical path, measured directly with wrk on the very
requests the router sends). Writes `bench/results/gateways.md` (+ `.png` with matplotlib).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synthetic import SUBGRAPH_SDL, expected_benchmark_data  # noqa: E402
from tests.support.apollo import SubgraphSpec, compose_with_apollo  # noqa: E402
from tests.support.peers import PEERS_DIR, ensure_peers, node_bin  # noqa: E402

__all__ = [
    "BENCH_QUERY",
    "GATEWAYS",
    "Process",
    "answer_recording",
    "bench_body",
    "check_answer",
    "compose_supergraph",
    "main",
    "start_gateway",
    "start_subgraphs",
]

BENCH_QUERY = """query Bench($first: Int!) {
  topProducts(first: $first) {
    upc name price
    reviews {
      id body rating
      author {
        id username name
        favorites { upc name price reviews { id rating } }
      }
    }
  }
}"""
FIRST = 10  # ≈ 75 KB responses through 5 sequential fetches: products → reviews → accounts → …
RESULTS = ROOT / "bench" / "results"
# Load generator and subgraphs on core 0, the gateway alone on core 1 (when there are 2 cores).
LOAD_CORE, GATEWAY_CORE = "0", "1"


def bench_body(first: int = FIRST) -> bytes:
    return orjson.dumps({"query": BENCH_QUERY, "variables": {"first": first}})


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pinned(argv: list[str], core: str) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", core, *argv]
    return argv


@dataclass
class Process:
    """A started server: its process, log file and URL."""

    name: str
    url: str
    popen: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()

    def wait_ready(self, probe: Callable[[], bool], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                break
            try:
                if probe():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        output = self.log_path.read_text(errors="replace")[-3000:]
        self.stop()
        raise RuntimeError(f"{self.name} did not start:\n{output}")


def _spawn(name: str, argv: list[str], url: str, workdir: Path, **kw: Any) -> Process:
    log_path = workdir / f"{name}.log"
    handle = log_path.open("wb")
    # Own process group, so stop() ends the whole tree (taskset, node workers) and nothing else.
    popen = subprocess.Popen(
        argv, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True, **kw
    )
    return Process(name, url, popen, log_path)


def start_subgraphs(workdir: Path, record: Path | None = None) -> Process:
    """The synthetic subgraphs on one port (`/accounts`, `/products`, `/reviews`)."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.synthetic:app",
        "--host=127.0.0.1",
        f"--port={port}",
        "--loop=uvloop",
        "--http=httptools",
        "--no-access-log",
        "--log-level=warning",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if record:
        env["BENCH_RECORD_FILE"] = str(record)
    process = _spawn(
        "subgraphs", _pinned(argv, LOAD_CORE), f"http://127.0.0.1:{port}", workdir, env=env
    )
    process.wait_ready(lambda: httpx.get(process.url + "/health").status_code == 200)
    return process


def compose_supergraph(subgraphs_url: str, workdir: Path) -> Path:
    specs = [SubgraphSpec(n, f"{subgraphs_url}/{n}", sdl) for n, sdl in SUBGRAPH_SDL.items()]
    path = workdir / "supergraph.graphql"
    path.write_text(compose_with_apollo(specs))
    return path


def _router_argv(supergraph: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "router", "--supergraph", str(supergraph), "--port", str(port)]


def _apollo_argv(supergraph: Path, port: int) -> list[str]:
    script = PEERS_DIR / "apollo_gateway.mjs"
    return [node_bin(), str(script), "--supergraph", str(supergraph), "--port", str(port)]


def _hive_argv(supergraph: Path, port: int) -> list[str]:
    cli = PEERS_DIR / "node_modules" / "@graphql-hive" / "gateway" / "dist" / "bin.js"
    binary = str(cli) if cli.exists() else str(PEERS_DIR / "node_modules" / ".bin" / "hive-gateway")
    argv = [binary, "supergraph", str(supergraph), "--port", str(port), "--host", "127.0.0.1"]
    # One worker like the others (the gateway has one core); no schema polling of the file.
    return [node_bin(), *argv, "--fork", "1"] if cli.exists() else [*argv, "--fork", "1"]


GATEWAYS: dict[str, Callable[[Path, int], list[str]]] = {
    "router": _router_argv,
    "hive": _hive_argv,
    "apollo": _apollo_argv,
}
LABELS = {"router": "our router (Python)", "hive": "Hive Gateway", "apollo": "Apollo Gateway"}


def start_gateway(name: str, supergraph: Path, workdir: Path) -> Process:
    port = free_port()
    env = {**os.environ, "NODE_ENV": "production", "PYTHONUNBUFFERED": "1"}
    argv = _pinned(GATEWAYS[name](supergraph, port), GATEWAY_CORE)
    cwd = ROOT if name == "router" else PEERS_DIR
    process = _spawn(name, argv, f"http://127.0.0.1:{port}/graphql", workdir, env=env, cwd=cwd)
    body = {"query": "{ __typename }"}
    process.wait_ready(lambda: httpx.post(process.url, json=body, timeout=5).status_code == 200)
    return process


def check_answer(url: str, first: int = FIRST) -> dict[str, Any]:
    """POST the benchmark query; raise unless the answer is exactly the oracle's (no errors)."""
    response = httpx.post(
        url,
        content=bench_body(first),
        headers={"content-type": "application/json"},
        timeout=30,
    )
    answer: dict[str, Any] = response.json()
    expected = {"data": expected_benchmark_data(first)}
    if response.status_code != 200 or answer != expected:
        raise AssertionError(
            f"{url} answered {response.status_code} with {response.text[:500]!r}…, "
            "not the expected benchmark data"
        )
    return answer


def answer_recording(url: str, record: Path) -> list[bytes]:
    """Check the answer of the gateway at `url`; the subgraph requests it newly sent.

    The subgraphs record each request body they have not seen before, so this must be the first
    gateway to ask (our router is measured first).
    """
    before = len(record.read_bytes().splitlines()) if record.exists() else 0
    check_answer(url)
    return [line for line in record.read_bytes().splitlines()[before:] if line]


# --- load generation -------------------------------------------------------------------------

_WRK_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[%s]==]
done = function(summary, latency, requests)
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "errors": %%d, "non2xx": %%d, '
    .. '"p50": %%d, "p95": %%d, "p99": %%d, "max": %%d}\\n',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk not found: apt-get install -y wrk")
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


@dataclass
class Load:
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int


def run_wrk(
    url: str,
    body: bytes,
    concurrency: int,
    seconds: float,
    workdir: Path,
    *,
    headers: Mapping[str, str] | None = None,
) -> Load:
    script = workdir / f"wrk_{abs(hash((body, tuple(sorted((headers or {}).items())))))}.lua"
    extra = "".join(
        f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}\n"
        for name, value in (headers or {}).items()
    )
    script.write_text(extra + _WRK_LUA % body.decode())
    argv = [
        ensure_wrk(),
        "-t1",
        f"-c{concurrency}",
        f"-d{max(1, round(seconds))}s",
        "--timeout=10s",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(_pinned(argv, LOAD_CORE), capture_output=True, text=True, check=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRKJSON "))
    stats = json.loads(line.removeprefix("WRKJSON "))
    return Load(
        rps=stats["requests"] / (stats["duration_us"] / 1e6),
        p50_ms=stats["p50"] / 1000,
        p95_ms=stats["p95"] / 1000,
        p99_ms=stats["p99"] / 1000,
        errors=stats["errors"] + stats["non2xx"],
    )


# --- process resources -----------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants (node may fork workers; taskset execs in place)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def cpu_seconds(pid: int) -> float:
    total = 0
    for member in _tree(pid):
        try:
            fields = (Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1]).split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICK


def peak_rss_mb(pid: int) -> float:
    total = 0
    for member in _tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total / 1024


# --- the run ---------------------------------------------------------------------------------


@dataclass
class GatewayResult:
    name: str
    version: str
    loads: dict[int, Load] = field(default_factory=dict)
    cpu: dict[int, float] = field(default_factory=dict)  # CPU seconds per wall second
    peak_rss_mb: float = 0.0


# The benchmark query's plan: products → reviews → accounts → Parallel(products, reviews).
PLAN_LEVELS: list[set[str]] = [{"products"}, {"reviews"}, {"accounts"}, {"products", "reviews"}]


def critical_path(subgraphs: Process, routed: list[bytes], seconds: float, workdir: Path) -> float:
    """The subgraphs' own critical path (ms) for the requests our router sent, measured by wrk.

    Each request's p50 is measured alone at concurrency 1; fetches of one plan level run in
    parallel, so a level costs its slowest fetch and the levels add up.
    """
    requests = [orjson.loads(line) for line in routed]
    if sum(map(len, PLAN_LEVELS)) != len(requests):
        raise RuntimeError(f"expected {PLAN_LEVELS} fetches, the router sent {len(requests)}")
    total = 0.0
    for level in PLAN_LEVELS:
        batch, requests = requests[: len(level)], requests[len(level) :]
        if {request["subgraph"] for request in batch} != level:
            raise RuntimeError(f"plan level {level} does not match the router's requests {batch}")
        slowest = 0.0
        for request in batch:
            url = f"{subgraphs.url}/{request['subgraph']}"
            load = run_wrk(url, request["body"].encode(), 1, seconds, workdir)
            log(f"  subgraph {request['subgraph']:<8} p50 {load.p50_ms:.3f} ms")
            slowest = max(slowest, load.p50_ms)
        total += slowest
    return total


def _versions() -> dict[str, str]:
    def npm(package: str) -> str:
        meta = PEERS_DIR / "node_modules" / package / "package.json"
        return str(json.loads(meta.read_text())["version"]) if meta.exists() else "?"

    node = subprocess.run([node_bin(), "--version"], capture_output=True, text=True, check=False)
    node_version = node.stdout.strip()
    return {
        "router": f"Python {platform.python_version()}",
        "hive": f"@graphql-hive/gateway {npm('@graphql-hive/gateway')} (node {node_version})",
        "apollo": f"@apollo/gateway {npm('@apollo/gateway')} (node {node_version})",
    }


def _machine() -> str:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def _plan(supergraph: Path) -> str:
    argv = [sys.executable, "-m", "router", "--supergraph", str(supergraph)]
    done = subprocess.run(
        [*argv, "--explain", BENCH_QUERY], capture_output=True, text=True, cwd=ROOT, check=False
    )
    return done.stdout.strip() or done.stderr.strip()


def write_report(
    results: list[GatewayResult],
    *,
    levels: Sequence[int],
    path_ms: float,
    seconds: float,
    plan: str,
    out: Path,
) -> None:
    size = len(orjson.dumps({"data": expected_benchmark_data(FIRST)}))
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark 1(b): gateways over fast synthetic subgraphs",
        "",
        f"- Date: {now}; machine: {_machine()}",
        f"- Versions: {'; '.join(f'{LABELS[r.name]}: {r.version}' for r in results)}",
        f"- Query: `topProducts(first: {FIRST})` → reviews → author → favorites → reviews "
        f"(4 plan levels, 5 fetches), response {size / 1024:.0f} KB; {seconds:g} s per level with "
        "`wrk -t1`; gateway pinned to core 1, wrk and subgraphs to core 0.",
        f"- Subgraphs' critical path (per plan level the slowest fetch's p50, measured with wrk at c=1, summed): "
        f"**{path_ms:.2f} ms**",
        "- Every gateway returned exactly the expected answer before it was measured.",
        "",
        "| gateway | concurrency | req/s | p50 ms | p95 ms | p99 ms | CPU (cores) | CPU ms/req | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        for level in levels:
            load = result.loads[level]
            lines.append(
                f"| {LABELS[result.name]} | {level} | {load.rps:.0f} | {load.p50_ms:.2f} | "
                f"{load.p95_ms:.2f} | {load.p99_ms:.2f} | {result.cpu[level]:.2f} | "
                f"{1000 * result.cpu[level] / max(load.rps, 1e-9):.2f} | {load.errors} |"
            )
    lines += [
        "",
        "| gateway | peak RSS MB | overhead at p50, c=1 (ms) | best req/s | vs router | "
        "CPU ms/req at best | router's CPU advantage |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    best = {r.name: max(r.loads, key=lambda c, r=r: r.loads[c].rps) for r in results}

    def cost(result: GatewayResult) -> float:
        level = best[result.name]
        return 1000 * result.cpu[level] / max(result.loads[level].rps, 1e-9)

    ours = next((r for r in results if r.name == "router"), None)
    for result in results:
        low = result.loads[min(levels)]
        rps = result.loads[best[result.name]].rps
        ratio = ours.loads[best["router"]].rps / rps if ours and rps else 0
        advantage = cost(result) / cost(ours) if ours else 0
        lines.append(
            f"| {LABELS[result.name]} | {result.peak_rss_mb:.0f} | "
            f"{low.p50_ms - path_ms:.2f} | {rps:.0f} | {ratio:.2f}x | "
            f"{cost(result):.2f} | {advantage:.2f}x |"
        )
    lines += [
        "",
        "Overhead = gateway p50 at the lowest concurrency - subgraphs' critical path. "
        "'vs router' = our best req/s ÷ that gateway's best req/s. CPU ms/req = gateway CPU "
        "time per request at its best level; 'router's CPU advantage' = that ÷ ours, i.e. the "
        "throughput ratio each would reach on a core of its own (robust when other work shares "
        "the machine and the gateways get unequal CPU).",
        "",
        "Our router's plan for the query:",
        "",
        "```",
        plan,
        "```",
        "",
    ]
    out.write_text("\n".join(lines))
    log(f"wrote {out}")


def plot(results: list[GatewayResult], levels: Sequence[int], out: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib not installed (uv sync --group bench): no plot")
        return
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for result in results:
        left.plot(
            levels, [result.loads[c].rps for c in levels], marker="o", label=LABELS[result.name]
        )
        right.plot(
            levels, [result.loads[c].p99_ms for c in levels], marker="o", label=LABELS[result.name]
        )
    left.set(xlabel="concurrency", ylabel="requests/s", title="Throughput", xscale="log")
    right.set(xlabel="concurrency", ylabel="p99 ms", title="p99 latency", xscale="log")
    left.legend()
    figure.tight_layout()
    figure.savefig(out, dpi=110)
    log(f"wrote {out}")


def measure(
    gateway: Process, version: str, levels: Sequence[int], seconds: float, workdir: Path
) -> GatewayResult:
    """Warm the gateway up, then load it at each concurrency level, tracking its CPU and RSS."""
    body = bench_body()
    run_wrk(gateway.url, body, max(levels), min(seconds, 3.0), workdir)
    result = GatewayResult(gateway.name, version)
    for level in levels:
        before = cpu_seconds(gateway.popen.pid)
        started = time.monotonic()
        load = run_wrk(gateway.url, body, level, seconds, workdir)
        elapsed = time.monotonic() - started
        result.cpu[level] = (cpu_seconds(gateway.popen.pid) - before) / elapsed
        result.loads[level] = load
        log(
            f"  c={level:<3} {load.rps:8.0f} req/s  p50 {load.p50_ms:7.2f} ms  "
            f"p99 {load.p99_ms:7.2f} ms  cpu {result.cpu[level]:.2f}"
        )
    result.peak_rss_mb = peak_rss_mb(gateway.popen.pid)
    return result


def _router_check(supergraph: Path, record: Path, workdir: Path) -> list[bytes]:
    log("our router: starting (for the correctness check and its subgraph requests)")
    gateway = start_gateway("router", supergraph, workdir)
    try:
        return answer_recording(gateway.url, record)
    finally:
        gateway.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 level pair, 3 s each (< 1 min)")
    parser.add_argument("--concurrency", type=int, nargs="+", help="levels (default 1 8 32)")
    parser.add_argument("--seconds", type=float, help="seconds per level (default 10, quick 3)")
    parser.add_argument(
        "--gateways",
        nargs="+",
        choices=list(GATEWAYS),
        default=list(GATEWAYS),
        help="gateways to measure",
    )
    parser.add_argument(
        "--out", type=Path, default=RESULTS / "gateways.md", help="markdown table (plot next to it)"
    )
    args = parser.parse_args(argv)
    levels = sorted(args.concurrency or ([1, 8] if args.quick else [1, 8, 32]))
    seconds = args.seconds or (3.0 if args.quick else 10.0)
    ensure_peers()
    ensure_wrk()
    versions = _versions()
    results: list[GatewayResult] = []
    routed: list[bytes] = []
    names = [name for name in GATEWAYS if name in args.gateways]  # router first: it records
    with tempfile.TemporaryDirectory(prefix="bench-gateways-") as tmp:
        workdir = Path(tmp)
        record = workdir / "requests.jsonl"
        log("starting synthetic subgraphs")
        subgraphs = start_subgraphs(workdir, record)
        try:
            supergraph = compose_supergraph(subgraphs.url, workdir)
            log("composed the supergraph (Apollo composition)")
            if "router" not in names:
                routed = _router_check(supergraph, record, workdir)
            for name in names:
                log(f"{LABELS[name]}: starting")
                gateway = start_gateway(name, supergraph, workdir)
                try:
                    if name == "router":
                        routed = answer_recording(gateway.url, record)
                        log(f"  correct answer; it sent {len(routed)} subgraph requests")
                    else:
                        check_answer(gateway.url)
                        log("  correct answer (the oracle's, as from our router)")
                    results.append(measure(gateway, versions[name], levels, seconds, workdir))
                finally:
                    gateway.stop()
            log("measuring the subgraphs' critical path directly")
            path_ms = critical_path(subgraphs, routed, max(1.0, min(seconds / 3, 3.0)), workdir)
            plan = _plan(supergraph)
        finally:
            subgraphs.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_report(results, levels=levels, path_ms=path_ms, seconds=seconds, plan=plan, out=args.out)
    plot(results, levels, args.out.with_suffix(".png"))
    print(args.out.read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
