"""Start the five real subgraphs as processes against a given database (benchmarks 3 and 4).

Each subgraph is `predicthealth subgraph NAME` in its own process group, logging to a file in a
work directory, with the other subgraphs' URLs in its environment (admins calls them).
Callers authenticate with the service credential (`x-service-token`), which sees every row.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SERVICE_TOKEN = "bench-service-token"  # noqa: S105 - a local benchmark's shared secret
HEADERS = {"x-service-token": SERVICE_TOKEN, "content-type": "application/json"}
ALL = ("auth", "institutions", "doctors", "patients", "admins")

__all__ = ["ALL", "HEADERS", "SERVICE_TOKEN", "Subgraph", "free_port", "running_subgraphs"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Subgraph:
    name: str
    port: int
    popen: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()


def _wait_ready(subgraph: Subgraph, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    health = f"http://127.0.0.1:{subgraph.port}/health"
    while time.monotonic() < deadline:
        if subgraph.popen.poll() is not None:
            break
        try:
            if httpx.get(health, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(
        f"{subgraph.name} did not start:\n{subgraph.log_path.read_text(errors='replace')[-3000:]}"
    )


@contextmanager
def running_subgraphs(
    database_url: str,
    redis_url: str,
    workdir: Path,
    *,
    names: Sequence[str] = ALL,
    redis_prefix: str = "bench:",
) -> Iterator[dict[str, Subgraph]]:
    """The subgraphs `names` serving `database_url`, stopped (only they) on exit."""
    ports = {name: free_port() for name in ALL}
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": redis_prefix,
        "SERVICE_TOKEN": SERVICE_TOKEN,
        "LOG_LEVEL": "WARNING",
        "DATA_DIR": str(workdir / "data"),
        **{f"{n.upper()}_SERVICE_URL": f"http://127.0.0.1:{p}/graphql" for n, p in ports.items()},
    }
    started: dict[str, Subgraph] = {}
    try:
        for name in names:
            log_path = workdir / f"{name}.log"
            argv = [sys.executable, "-m", "subgraphs.kit.cli", "subgraph", name,
                    f"--port={ports[name]}"]  # fmt: skip
            with log_path.open("wb") as handle:
                popen = subprocess.Popen(
                    argv, stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
                    start_new_session=True,
                )  # fmt: skip
            started[name] = Subgraph(name, ports[name], popen, log_path)
            if name == "auth":
                _wait_ready(started[name])  # the others fetch its JWKS
        for subgraph in started.values():
            _wait_ready(subgraph)
        yield started
    finally:
        for subgraph in started.values():
            subgraph.stop()
