"""Benchmark 1(a): our router vs Apollo Gateway vs Hive Gateway over our five real subgraphs.

    uv run python bench/real_gateways.py [--quick] [--seconds N] [--concurrency 1 8]
                                         [--gateways router hive apollo] [--rounds N] [--isolate] [--awake] [--out FILE]

Ensures the 1,000,000-patient `ph_bench` database (`bench/dataset.py`), starts the five subgraphs
as `predicthealth subgraph NAME` processes on it, composes them with Apollo's composition, signs
in as the demo doctor and admin through the auth subgraph, and for each gateway in turn (pinned
to core 1, wrk to core 0; subgraphs, PostgreSQL and Redis unpinned) checks that it answers
every benchmark query exactly as our router does in-process, then loads it with `wrk` per query
and concurrency, recording req/s, p50/p95/p99, CPU and peak RSS (as `bench/gateways.py`).

The subgraphs' own critical path per query is measured on the exact requests our router sends
(recorded in-process from its executor), replayed in plan order (a `Sequence` awaits each step,
a `Parallel` runs its branches together) by `bench/plan_replay.py`, a raw keep-alive client that
alternates, request by request, the client query through the gateway and the replayed plan.
Overhead = p50 through the gateway - p50 of the replay, median over rounds. Writes `bench/results/real_gateways.md` (+ `.png` with matplotlib).
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
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.dataset import ensure_dataset  # noqa: E402
from bench.gateways import (  # noqa: E402
    LABELS,
    LOAD_CORE,
    Load,
    Process,
    _machine,
    _pinned,
    _spawn,
    _versions,
    cpu_seconds,
    ensure_wrk,
    free_port,
    log,
    peak_rss_mb,
    run_wrk,
)
from bench.services import SERVICE_TOKEN  # noqa: E402
from router.executor import run as executor_run  # noqa: E402
from router.planner import plan as plans  # noqa: E402
from subgraphs.kit.registry import subgraph_sdl  # noqa: E402
from subgraphs.kit.seeding import DEMO_LOGINS, DEMO_PASSWORD  # noqa: E402
from subgraphs.kit.settings import SUBGRAPHS  # noqa: E402
from tests.support.apollo import SubgraphSpec, compose_with_apollo  # noqa: E402
from tests.support.peers import PEERS_DIR, ensure_peers, node_bin  # noqa: E402

__all__ = ["QUERIES", "main"]

RESULTS = ROOT / "bench" / "results"
# The gateway alone on core 1 (wrk on core 0). The subgraphs are not pinned: a plan's parallel
# fetches then really run in parallel, as the critical path assumes (at c=1 the gateway is idle
# while they work).
GATEWAY_CORE = "1"


@dataclass(frozen=True)
class BenchQuery:
    role: str  # whose demo login sends it
    text: str
    about: str


QUERIES: dict[str, BenchQuery] = {
    "doctor-patients": BenchQuery(
        "doctor",
        """query DoctorPatients {
  patients(first: 20) {
    edges { node {
      id firstName lastName age gender
      doctor { id lastName specialty { name } }
      institution { id name institutionType }
    } }
  }
}""",
        "a doctor's patients (first 20) with their doctor, specialty and institution",
    ),
    "institution-doctors": BenchQuery(
        "admin",
        """query InstitutionDoctors {
  institutions(first: 5) {
    edges { node {
      id name doctorCount
      doctors(first: 5) { edges { node { id lastName patientCount specialty { name } } } }
    } }
  }
}""",
        "institutions (first 5) → their doctors (first 5) with patient counts and specialty",
    ),
    "patient-chain": BenchQuery(
        "admin",
        """query PatientChain {
  patients(first: 5) {
    edges { node {
      id lastName
      doctor { lastName institution { name doctors(first: 3) { edges { node { lastName } } } } }
      institution { id name }
    } }
  }
}""",
        "patients (first 5) → doctor → institution → its doctors (first 3)",
    ),
}

_LOGIN = """mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken }
}"""

# Hive Gateway passes no client header to subgraphs unless told to.
_HIVE_CONFIG = """export const gatewayConfig = {
  propagateHeaders: {
    fromClientToSubgraphs({ request }) {
      const authorization = request.headers.get("authorization");
      return authorization ? { authorization } : {};
    },
  },
};
"""


# --- the system under test -------------------------------------------------------------------


def start_subgraphs(
    database_url: str, workdir: Path, *, core: str | None = None
) -> dict[str, Process]:
    """The five subgraphs as `predicthealth subgraph NAME` processes, auth first (on `core`
    when given)."""
    ports = {name: free_port() for name in SUBGRAPHS}
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "REDIS_PREFIX": f"bench-real-{os.getpid()}:",
        "ENVIRONMENT": "production",
        # The secret the other benchmarks use on ph_bench: its signing keys are encrypted under it.
        "SERVICE_TOKEN": SERVICE_TOKEN,
        "LOG_LEVEL": "WARNING",
        "DATA_DIR": str(workdir / "data"),
        # One login serves the whole run.
        "JWT_ACCESS_TTL_SECONDS": "7200",
        **{f"{n.upper()}_SERVICE_URL": f"http://127.0.0.1:{p}/graphql" for n, p in ports.items()},
    }
    started: dict[str, Process] = {}
    try:
        for name in SUBGRAPHS:
            argv = [sys.executable, "-m", "subgraphs.kit.cli", "subgraph", name]
            argv += ["--port", str(ports[name])]
            if core is not None:
                argv = _pinned(argv, core)
            process = _spawn(
                f"subgraph-{name}",
                argv,
                f"http://127.0.0.1:{ports[name]}/graphql",
                workdir,
                env=env,
                cwd=ROOT,
            )
            started[name] = process
        for process in started.values():
            health = process.url.removesuffix("/graphql") + "/health"
            process.wait_ready(lambda h=health: httpx.get(h, timeout=5).status_code == 200)
    except BaseException:
        for process in started.values():
            process.stop()
        raise
    return started


@contextlib.contextmanager
def cpus_awake() -> Iterator[None]:
    """Hold `/dev/cpu_dma_latency` at 0 for the run: idle CPUs poll instead of halting (the
    kernel's PM QoS interface, what tuned's latency-performance profile does). On this VM a
    halted vCPU takes tens of microseconds to wake, and other guests may use the physical core
    meanwhile and evict its caches; a gateway at c=1 halts and wakes at every hop. Costs power
    (and a host's CPU), never correctness; applies to every gateway alike."""
    try:
        handle = open("/dev/cpu_dma_latency", "wb", buffering=0)  # noqa: SIM115 - held open
    except OSError as error:
        log(f"cannot hold /dev/cpu_dma_latency ({error}); CPUs may halt when idle")
        yield
        return
    with handle:
        handle.write(struct.pack("i", 0))
        log("idle CPUs poll (cpu_dma_latency = 0) for the run")
        yield


@contextlib.contextmanager
def services_on(core: str) -> Iterator[None]:
    """PostgreSQL (the postmaster, so new backends too, and the open backends) and Redis on
    `core` for the run, their affinity restored after: with `--isolate` the gateway has the other
    core to itself, as in benchmark 1(b), so no subgraph or database process evicts its caches
    between hops. Needs the right to change those processes' affinity (root here)."""
    taskset = shutil.which("taskset")
    if taskset is None or (os.cpu_count() or 1) < 2:
        yield
        return
    pids = [int(p) for p in _pgrep("postgres") + _pgrep("redis-server")]
    before: dict[int, str] = {}
    for pid in pids:
        done = subprocess.run(
            [taskset, "-pc", str(pid)], check=False, capture_output=True, text=True
        )
        if done.returncode == 0:
            before[pid] = done.stdout.rsplit(":", 1)[-1].strip()
            subprocess.run([taskset, "-pc", core, str(pid)], check=False, capture_output=True)
    log(f"pinned {len(before)} PostgreSQL/Redis processes to core {core}")
    try:
        yield
    finally:
        for pid, cores in before.items():
            subprocess.run([taskset, "-pc", cores, str(pid)], check=False, capture_output=True)


def _pgrep(name: str) -> list[str]:
    done = subprocess.run(["pgrep", "-x", name], check=False, capture_output=True, text=True)
    return done.stdout.split()


def compose(subgraphs: Mapping[str, Process], workdir: Path) -> Path:
    specs = [SubgraphSpec(n, p.url, subgraph_sdl(n)) for n, p in subgraphs.items()]
    path = workdir / "supergraph.graphql"
    path.write_text(compose_with_apollo(specs))
    return path


def login(auth_url: str, role: str) -> dict[str, str]:
    """The Authorization header of a demo login (signed in on the auth subgraph)."""
    variables = {"email": DEMO_LOGINS[role], "password": DEMO_PASSWORD}
    body = httpx.post(auth_url, json={"query": _LOGIN, "variables": variables}, timeout=30).json()
    if body.get("errors"):
        raise RuntimeError(f"login as {role} failed: {body['errors']}")
    return {"authorization": f"Bearer {body['data']['login']['accessToken']}"}


def _gateway_argv(
    name: str, supergraph: Path, port: int, workdir: Path, router_args: Sequence[str] = ()
) -> list[str]:
    if name == "router":
        # Plain forwarding like the others: the subgraphs verify the token.
        return [
            sys.executable,
            "-m",
            "router",
            "--supergraph",
            str(supergraph),
            "--port",
            str(port),
            *router_args,
        ]
    if name == "apollo":
        script = PEERS_DIR / "apollo_gateway.mjs"
        argv = [node_bin(), str(script), "--supergraph", str(supergraph), "--port", str(port)]
        return [*argv, "--forward-headers", "authorization"]
    config = workdir / "hive.gateway.mjs"
    config.write_text(_HIVE_CONFIG)
    cli = PEERS_DIR / "node_modules" / "@graphql-hive" / "gateway" / "dist" / "bin.js"
    argv = [node_bin(), str(cli), "supergraph", str(supergraph), "--port", str(port)]
    return [*argv, "--host", "127.0.0.1", "--fork", "1", "--config-path", str(config)]


def start_gateway(
    name: str,
    supergraph: Path,
    workdir: Path,
    *,
    pin: bool = True,
    router_args: Sequence[str] = (),
) -> Process:
    port = free_port()
    env = {**os.environ, "NODE_ENV": "production", "PYTHONUNBUFFERED": "1"}
    argv = _gateway_argv(name, supergraph, port, workdir, router_args)
    if pin:
        argv = _pinned(argv, GATEWAY_CORE)
    cwd = ROOT if name == "router" else PEERS_DIR
    process = _spawn(name, argv, f"http://127.0.0.1:{port}/graphql", workdir, env=env, cwd=cwd)
    body = {"query": "{ __typename }"}
    process.wait_ready(lambda: httpx.post(process.url, json=body, timeout=5).status_code == 200)
    return process


# --- what our router sends, and the subgraphs' own critical path -----------------------------


@dataclass
class Recorded:
    """One query through our router in-process: its answer, plan and subgraph requests."""

    answer: dict[str, Any]
    plan: plans.PlanNode | None
    requests: dict[int, tuple[str, str, bytes]] = field(default_factory=dict)  # id(fetch) → …
    responses: dict[bytes, bytes] = field(default_factory=dict)  # request body → its answer


async def _record_all(
    supergraph_sdl: str, tokens: Mapping[str, dict[str, str]]
) -> dict[str, Recorded]:
    from router.context import GraphQLRequest
    from router.pipeline import Router

    router = Router(supergraph_sdl)
    current: list[plans.Fetch] = []
    recorded: dict[int, tuple[str, str, bytes]] = {}
    answers: dict[bytes, bytes] = {}
    send = executor_run._Run._send
    post = router.client.post

    async def recording_send(run: Any, fetch: plans.Fetch, variables: dict[str, Any]) -> Any:
        current.append(fetch)  # read synchronously by `post` below, before any await
        return await send(run, fetch, variables)

    async def recording_post(
        service: str, url: str, body: Mapping[str, Any], headers: Mapping[str, str], seconds: float
    ) -> dict[str, Any]:
        sent = orjson.dumps(body)
        recorded[id(current.pop())] = (service, url, sent)
        answer = await post(service, url, body, headers, seconds)
        answers[sent] = orjson.dumps(answer)
        return answer

    executor_run._Run._send = recording_send  # type: ignore[method-assign]
    router.client.post = recording_post  # type: ignore[method-assign]
    try:
        out: dict[str, Recorded] = {}
        for name, query in QUERIES.items():
            recorded.clear()
            answers.clear()
            request = GraphQLRequest(query=query.text, variables=None, operation_name=None)
            ctx = await router.handle(request, dict(tokens[query.role]))
            answer = ctx.response or {}
            if ctx.status != 200 or answer.get("errors") or not answer.get("data"):
                raise RuntimeError(f"{name}: our router answered {str(answer)[:500]}")
            plan = ctx.plan.node if ctx.plan else None
            out[name] = Recorded(answer, plan, dict(recorded), dict(answers))
        return out
    finally:
        executor_run._Run._send = send  # type: ignore[method-assign]
        await router.close()


def plan_tree(recorded: Recorded) -> dict[str, Any] | None:
    """The plan as `bench/plan_replay.py` replays it: each fetch with the request our router sent."""

    def tree(node: plans.PlanNode | None) -> dict[str, Any] | None:
        if node is None:
            return None
        if isinstance(node, plans.Sequence | plans.Parallel):
            children = [t for t in (tree(child) for child in node.nodes) if t is not None]
            if not children:
                return None
            return {"seq" if isinstance(node, plans.Sequence) else "par": children}
        fetch = node.node if isinstance(node, plans.Flatten) else node
        sent = recorded.requests.get(id(fetch))
        if sent is None:
            return None  # not sent: no entity to fetch
        _service, url, body = sent
        return {"fetch": {"url": url, "body": body.decode()}}

    return tree(recorded.plan)


def paired_overhead(
    recorded: Recorded,
    gateway_url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    seconds: float,
    workdir: Path,
) -> tuple[float, float, list[tuple[float, float]]]:
    """(gateway p50, critical path p50) in ms, and every (gateway, critical path) pair, from
    `bench/plan_replay.py` (pinned where wrk runs): the client query through the gateway
    alternating with the plan's recorded subgraph requests replayed by a client that costs
    nothing more, request by request."""
    spec = workdir / f"replay_{abs(hash((gateway_url, body)))}.json"
    plan = {"plan": plan_tree(recorded), "headers": dict(headers)}
    spec.write_bytes(orjson.dumps({**plan, "gateway": {"url": gateway_url, "body": body.decode()}}))
    argv = [sys.executable, str(ROOT / "bench" / "plan_replay.py"), str(spec)]
    argv += ["--seconds", str(seconds), "--samples"]
    done = subprocess.run(_pinned(argv, LOAD_CORE), capture_output=True, text=True, check=True)
    out = orjson.loads(done.stdout.strip().splitlines()[-1])
    pairs = list(zip(out["samples"]["gateway"], out["samples"]["plan"], strict=True))
    return float(out["gateway"]["p50"]), float(out["plan"]["p50"]), pairs


def overhead_interval(
    pairs: Sequence[tuple[float, float]], *, resamples: int = 2000, seed: int = 1
) -> tuple[float, float, float]:
    """p50 through the gateway - p50 of the replay over all `pairs`, with a 95% bootstrap
    interval (pairs resampled whole: each is one gateway request and the replay right after it).
    The subgraphs' latency varies by milliseconds from request to request, so a difference of
    medians over a few hundred requests moves by tenths of a millisecond between runs: the
    interval says how far this estimate can be trusted."""
    through = [g for g, _ in pairs]
    path = [r for _, r in pairs]
    point = statistics.median(through) - statistics.median(path)
    rng = random.Random(seed)
    n = len(pairs)
    estimates = []
    for _ in range(resamples):
        picks = [rng.randrange(n) for _ in range(n)]
        estimates.append(
            statistics.median([through[i] for i in picks])
            - statistics.median([path[i] for i in picks])
        )
    estimates.sort()
    return point, estimates[int(0.025 * resamples)], estimates[int(0.975 * resamples) - 1]


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Measured:
    name: str
    version: str
    loads: dict[tuple[str, int], Load] = field(default_factory=dict)
    cpu: dict[tuple[str, int], float] = field(default_factory=dict)
    cpu_ms_per_request: dict[tuple[str, int], float] = field(default_factory=dict)
    # Per query: (gateway p50 at c=1, critical path) of each interleaved round.
    rounds: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    # Per query: every (through the gateway, replay) pair of all rounds.
    pairs: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    peak_rss_mb: float = 0.0

    def overhead(self, query: str) -> float:
        return statistics.median(p50 - path for p50, path in self.rounds[query])

    def path(self, query: str) -> float:
        return statistics.median(path for _, path in self.rounds[query])


def _body(query: BenchQuery) -> bytes:
    return orjson.dumps({"query": query.text})


def check(gateway: Process, recorded: Mapping[str, Recorded], tokens: Mapping[str, Any]) -> None:
    """Raise unless the gateway answers every query exactly as our router did (data, order)."""
    for name, query in QUERIES.items():
        response = httpx.post(
            gateway.url,
            content=_body(query),
            headers={"content-type": "application/json", **tokens[query.role]},
            timeout=60,
        )
        same = response.status_code == 200 and orjson.dumps(
            orjson.loads(response.content)
        ) == orjson.dumps(recorded[name].answer)  # dicts keep order: field order is compared too
        if not same:
            raise AssertionError(
                f"{gateway.name} answered {name} with {response.status_code} "
                f"{response.text[:400]!r}…, not our router's answer"
            )


def measure(
    gateway: Process,
    version: str,
    *,
    levels: Sequence[int],
    seconds: float,
    rounds: int,
    tokens: Mapping[str, dict[str, str]],
    recorded: Mapping[str, Recorded],
    workdir: Path,
) -> Measured:
    """Load the gateway per query and concurrency. At the lowest concurrency the load alternates
    with replays of the critical path (`rounds` times): the subgraphs' latency drifts with the
    machine's load, so each round's overhead compares two measurements seconds apart."""
    result = Measured(gateway.name, version)
    low, window = min(levels), max(2.0, seconds / 2)
    for name, query in QUERIES.items():
        headers = tokens[query.role]
        body = _body(query)
        run_wrk(gateway.url, body, max(levels), min(seconds, 2.0), workdir, headers=headers)
        result.rounds[name] = []
        lows: list[Load] = []
        busy = spent = requests = 0.0
        for _ in range(rounds):
            before = cpu_seconds(gateway.popen.pid)
            started = time.monotonic()
            load = run_wrk(gateway.url, body, low, window, workdir, headers=headers)
            spent += time.monotonic() - started
            busy += cpu_seconds(gateway.popen.pid) - before
            requests += load.rps * window
            through, path, pairs = paired_overhead(
                recorded[name], gateway.url, body, headers, seconds=window, workdir=workdir
            )
            result.rounds[name].append((through, path))
            result.pairs.setdefault(name, []).extend(pairs)
            lows.append(load)
            log(
                f"  {name:<20} c={low:<3} {load.rps:7.0f} req/s  p50 {load.p50_ms:7.2f} ms  "
                f"paired: p50 {through:7.2f} ms, critical path {path:7.2f} ms, "
                f"overhead {through - path:6.2f} ms"
            )
        # The table shows the round with the median p50, and the CPU over all rounds.
        result.loads[name, low] = sorted(lows, key=lambda x: x.p50_ms)[len(lows) // 2]
        result.cpu[name, low] = busy / spent
        result.cpu_ms_per_request[name, low] = 1000 * busy / max(requests, 1.0)
        for level in [c for c in levels if c != low]:
            before = cpu_seconds(gateway.popen.pid)
            started = time.monotonic()
            load = run_wrk(gateway.url, body, level, seconds, workdir, headers=headers)
            elapsed = time.monotonic() - started
            result.cpu[name, level] = (cpu_seconds(gateway.popen.pid) - before) / elapsed
            result.cpu_ms_per_request[name, level] = (
                1000 * result.cpu[name, level] / max(load.rps, 1e-9)
            )
            result.loads[name, level] = load
            log(
                f"  {name:<20} c={level:<3} {load.rps:7.0f} req/s  p50 {load.p50_ms:7.2f} ms  "
                f"p99 {load.p99_ms:7.2f} ms  cpu {result.cpu[name, level]:.2f}"
            )
    result.peak_rss_mb = peak_rss_mb(gateway.popen.pid)
    return result


# --- report ----------------------------------------------------------------------------------


def write_report(
    results: list[Measured],
    recorded: Mapping[str, Recorded],
    *,
    levels: Sequence[int],
    seconds: float,
    isolated: bool,
    awake: bool,
    out: Path,
    router_args: Sequence[str] = (),
) -> None:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    placement = (
        "gateway alone on core 1; wrk, the subgraphs, PostgreSQL and Redis on core 0 "
        "(`--isolate`, as in benchmark 1(b))"
        if isolated
        else "gateway pinned to core 1, wrk to core 0; the subgraphs, PostgreSQL and Redis "
        "unpinned (a plan's parallel fetches run in parallel; they also compete with the "
        "gateway for core 1)"
    )
    lines = [
        "# Benchmark 1(a): gateways over our five real subgraphs (1,000,000 patients)",
        "",
        f"- Date: {now}; machine: {_machine()}",
        f"- Versions: {'; '.join(f'{LABELS[r.name]}: {r.version}' for r in results)}",
        "- Data: `ph_bench` (`bench/dataset.py`: 1,000,000 patients, 20,000 doctors, 2,000 "
        "institutions) on the machine's PostgreSQL; subgraphs are `predicthealth subgraph NAME` "
        "processes (ENVIRONMENT=production).",
        f"- `wrk -t1`, {seconds:g} s per query and concurrency; {placement}"
        + ("; idle CPUs poll instead of halting (`--awake`)." if awake else "."),
        *(
            [f"- Our router started with `{' '.join(router_args)}` (`--router-args`)."]
            if router_args
            else []
        ),
        "- Every gateway returned our router's answer (same JSON, same field order) to every query first.",
        "- Critical path: the requests our router sends for the query, replayed in plan order "
        "(`Sequence` steps one after another, `Parallel` branches together) by "
        "`bench/plan_replay.py`, alternating request by request with the client query through "
        "the gateway (same client, same moment, same subgraph state).",
        "",
        "## Queries",
        "",
    ]
    for name, query in QUERIES.items():
        size = len(orjson.dumps(recorded[name].answer))
        fetches = len(recorded[name].requests)
        lines.append(
            f"- `{name}` (as the demo {query.role}): {query.about}; {fetches} subgraph "
            f"fetches, {size / 1024:.1f} KB response"
        )
    lines += [
        "",
        "## Throughput and latency",
        "",
        "| query | gateway | c | req/s | p50 ms | p95 ms | p99 ms | CPU (cores) | CPU ms/req | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in QUERIES:
        for result in results:
            for level in levels:
                load = result.loads[name, level]
                lines.append(
                    f"| {name} | {LABELS[result.name]} | {level} | {load.rps:.0f} | "
                    f"{load.p50_ms:.2f} | {load.p95_ms:.2f} | {load.p99_ms:.2f} | "
                    f"{result.cpu[name, level]:.2f} | "
                    f"{result.cpu_ms_per_request[name, level]:.2f} | {load.errors} |"
                )
    low = min(levels)
    rounds = len(results[0].rounds[next(iter(QUERIES))]) if results else 0
    lines += [
        "",
        f"## Overhead over the subgraphs' critical path (p50 at c={low})",
        "",
        f"Per gateway and query, {rounds} rounds of paired requests at c={low} (the client query "
        "through the gateway, then the plan's subgraph requests replayed directly, alternating); "
        "the median over rounds of p50 through the gateway - p50 of the replay, with the median "
        "critical path in brackets.",
        "",
        *_per_query(results, lambda r, q: f"{r.overhead(q):.2f} ({r.path(q):.1f})"),
        "",
        "The same over all rounds' pairs pooled (p50 through the gateway - p50 of the replay, "
        "n pairs), with a 95% bootstrap interval: the subgraphs' latency varies by milliseconds "
        "from one request to the next, so an overhead under a millisecond is only as sure as its "
        "interval is narrow.",
        "",
        *_per_query(results, _pooled_cell),
    ]
    lines += [
        "",
        "CPU ms/req: gateway CPU time (all its processes, from /proc) per request served. It is "
        "the gateway's own work per request (idle-time housekeeping included, which weighs most "
        "at c=1's low rates) and does not move with the subgraphs' latency, which is noisy here.",
        "",
        "| gateway | peak RSS MB |",
        "|---|---:|",
        *(f"| {LABELS[r.name]} | {r.peak_rss_mb:.0f} |" for r in results),
        "",
    ]
    out.write_text("\n".join(lines))
    log(f"wrote {out}")


def _per_query(results: list[Measured], cell: Callable[[Measured, str], str]) -> list[str]:
    """A table with a row per query and a column per gateway."""
    lines = [
        "| query | " + " | ".join(LABELS[r.name] for r in results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    for name in QUERIES:
        lines.append(f"| {name} | " + " | ".join(cell(r, name) for r in results) + " |")
    return lines


def _pooled_cell(result: Measured, query: str) -> str:
    pairs = result.pairs[query]
    point, low, high = overhead_interval(pairs)
    return f"{point:.2f} [{low:.2f}, {high:.2f}] (n={len(pairs)})"


def plot(results: list[Measured], levels: Sequence[int], out: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib not installed (uv sync --group bench): no plot")
        return
    names = list(QUERIES)
    top = max(levels)
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    width = 0.8 / max(len(results), 1)
    for i, result in enumerate(results):
        positions = [n + i * width for n in range(len(names))]
        axes[0].bar(
            positions,
            [result.loads[q, top].rps for q in names],
            width,
            label=LABELS[result.name],
        )
        axes[1].bar(positions, [result.loads[q, top].p99_ms for q in names], width)
    for axis, title in zip(axes, (f"req/s at c={top}", f"p99 ms at c={top}"), strict=True):
        axis.set_xticks([n + width * (len(results) - 1) / 2 for n in range(len(names))], names)
        axis.set_title(title)
    axes[0].legend()
    figure.tight_layout()
    figure.savefig(out, dpi=110)
    log(f"wrote {out}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="c=1 and 8, 3 s each")
    parser.add_argument("--concurrency", type=int, nargs="+", help="levels (default 1 8)")
    parser.add_argument("--seconds", type=float, help="seconds per level (default 8, quick 3)")
    parser.add_argument(
        "--gateways", nargs="+", choices=list(LABELS), default=list(LABELS), help="gateways"
    )
    parser.add_argument(
        "--no-pin",
        action="store_true",
        help="do not pin the gateway to core 1 (on a machine shared with other work, a pinned "
        "gateway waits for that core at every hop)",
    )
    parser.add_argument(
        "--isolate",
        action="store_true",
        help="give the gateway core 1 to itself: the subgraphs, PostgreSQL and Redis join wrk "
        "on core 0 for the run (as in benchmark 1(b); changes the services' CPU affinity, "
        "restored after)",
    )
    parser.add_argument(
        "--awake",
        action="store_true",
        help="keep idle CPUs polling instead of halting for the run (/dev/cpu_dma_latency = 0, "
        "as tuned's latency-performance profile; needs root)",
    )
    parser.add_argument("--rounds", type=int, help="c=1/critical-path rounds (default 3, quick 2)")
    parser.add_argument(
        "--router-args",
        default="",
        help='options for our router, e.g. "--busy-poll-ms 20" (noted in the report)',
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "real_gateways.md")
    args = parser.parse_args(argv)
    levels = sorted(args.concurrency or [1, 8])
    router_args = shlex.split(args.router_args)
    seconds = args.seconds or (3.0 if args.quick else 8.0)
    database_url = ensure_dataset()
    ensure_peers()
    ensure_wrk()
    versions = _versions()
    results: list[Measured] = []
    placement = services_on(LOAD_CORE) if args.isolate else contextlib.nullcontext()
    awake = cpus_awake() if args.awake else contextlib.nullcontext()
    with tempfile.TemporaryDirectory(prefix="bench-real-") as tmp, placement, awake:
        workdir = Path(tmp)
        log("starting the five subgraphs on ph_bench")
        core = LOAD_CORE if args.isolate else None
        subgraphs = start_subgraphs(database_url, workdir, core=core)
        try:
            supergraph = compose(subgraphs, workdir)
            log("composed the supergraph (Apollo composition); signing in")
            tokens = {role: login(subgraphs["auth"].url, role) for role in ("doctor", "admin")}
            recorded = asyncio.run(_record_all(supergraph.read_text(), tokens))
            for name in [n for n in LABELS if n in args.gateways]:
                log(f"{LABELS[name]}: starting")
                gateway = start_gateway(
                    name, supergraph, workdir, pin=not args.no_pin, router_args=router_args
                )
                try:
                    check(gateway, recorded, tokens)
                    log("  answers every query exactly as our router")
                    results.append(
                        measure(
                            gateway,
                            versions[name],
                            levels=levels,
                            seconds=seconds,
                            rounds=args.rounds or (2 if args.quick else 3),
                            tokens=tokens,
                            recorded=recorded,
                            workdir=workdir,
                        )
                    )
                finally:
                    gateway.stop()
        finally:
            for process in reversed(subgraphs.values()):
                process.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_report(
        results,
        recorded,
        levels=levels,
        seconds=seconds,
        isolated=args.isolate,
        router_args=router_args,
        awake=args.awake,
        out=args.out,
    )
    plot(results, levels, args.out.with_suffix(".png"))
    print(args.out.read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
