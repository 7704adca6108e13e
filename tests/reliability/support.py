"""Real router processes over real subgraphs, and what the reliability tests measure on them."""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from subgraphs.kit.settings import SUBGRAPHS
from tests.support.gateway_process import Launching, RunningGateway, free_port, launch
from tests.support.infra import TestInfra
from tests.support.stack import SubgraphStack

__all__ = [
    "ROOT",
    "ProductionStack",
    "launch_subgraph",
    "production_stack",
    "rss_kb",
    "start_router",
    "start_subgraph",
    "supergraph_for",
]

ROOT = Path(__file__).resolve().parents[2]
_READY = r"router listening on (?P<url>http://\S+/graphql)"
_GRAPH = re.compile(r'@join__graph\(name: "(?P<name>\w+)", url: "(?P<url>[^"]+)"\)')


def supergraph_for(urls: Mapping[str, str], folder: Path) -> Path:
    """The checked-in supergraph with each subgraph's routing URL replaced by `urls[name]`."""
    text = (ROOT / "schema" / "supergraph.graphql").read_text()

    def swap(match: re.Match[str]) -> str:
        url = urls.get(match["name"], match["url"])
        return f'@join__graph(name: "{match["name"]}", url: "{url}")'

    path = folder / "supergraph.graphql"
    path.write_text(_GRAPH.sub(swap, text))
    return path


def start_router(
    supergraph: Path, *args: str, env: Mapping[str, str] | None = None, timeout: float = 60.0
) -> RunningGateway:
    """`python -m router` in its own process group; returns once /health answers."""
    argv = [sys.executable, "-m", "router", "--supergraph", str(supergraph),
            "--port", str(free_port()), "--host", "127.0.0.1", "--reload-interval", "0", *args]  # fmt: skip
    running = launch("router", argv, ready=_READY, cwd=ROOT,
                     env={"PYTHONUNBUFFERED": "1", **(env or {})}).wait(timeout)  # fmt: skip
    health = running.url.removesuffix("/graphql") + "/health"
    if httpx.get(health, timeout=10).status_code != 200:
        running.stop()
        raise RuntimeError(f"router did not answer {health}:\n{running.log()}")
    return running


def rss_kb(pid: int) -> int:
    """Resident set size of a process, from /proc (kB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def launch_subgraph(
    name: str, peers: Mapping[str, str], infra: TestInfra, *, port: int | None = None
) -> Launching:
    """Start `predicthealth subgraph NAME` as a real process (production mode) on `infra`'s
    database, calling its peers at `peers` (name -> URL); `.wait()` for it."""
    cli = Path(sys.executable).parent / "predicthealth"
    env = {f"{n.upper()}_SERVICE_URL": url for n, url in peers.items()}
    env |= {"DATABASE_URL": infra.database_url, "REDIS_URL": infra.redis_url,
            "REDIS_PREFIX": infra.redis_prefix, "ENVIRONMENT": "production",
            "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}  # fmt: skip
    argv = [str(cli), "subgraph", name, "--host", "127.0.0.1", "--port", str(port or free_port())]
    ready = rf"{name} subgraph listening on (?P<url>http://\S+/graphql)"
    return launch(name, argv, ready=ready, cwd=ROOT, env=env)


def start_subgraph(
    name: str, stack: SubgraphStack, infra: TestInfra, *, port: int | None = None
) -> RunningGateway:
    """One subgraph as a real process whose peers are `stack`'s subgraphs."""
    peers = {n: stack.url(n) for n in stack.ports}
    return launch_subgraph(name, peers, infra, port=port).wait(60)


@dataclass(frozen=True)
class ProductionStack:
    """The five subgraphs and the router, as real processes in production mode."""

    peers: dict[str, str]  # subgraph name -> URL
    supergraph: Path
    running: list[RunningGateway]  # the subgraphs, then the router (last)

    @property
    def router(self) -> RunningGateway:
        return self.running[-1]


@contextlib.contextmanager
def production_stack(infra: TestInfra, folder: Path) -> Iterator[ProductionStack]:
    """Start every subgraph and the router (ENVIRONMENT=production); stop them all on exit."""
    ports = {name: free_port() for name in SUBGRAPHS}
    peers = {name: f"http://127.0.0.1:{port}/graphql" for name, port in ports.items()}
    launching = [launch_subgraph(name, peers, infra, port=ports[name]) for name in SUBGRAPHS]
    running: list[RunningGateway] = []
    try:
        running += [process.wait(90) for process in launching]
        supergraph = supergraph_for(peers, folder)
        running.append(start_router(supergraph, env={"ENVIRONMENT": "production"}))
        yield ProductionStack(peers, supergraph, running)
    finally:
        for gateway in running:
            gateway.stop()
        for process in launching:
            if process.process.poll() is None:
                process.process.kill()
                process.process.wait(10)
