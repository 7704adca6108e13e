"""`predicthealth dev` brings up every service, answers on each port, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from subgraphs.kit.embedded import free_port
from subgraphs.kit.settings import SUBGRAPHS
from tests.support.infra import TestInfra

pytestmark = pytest.mark.slow


def _start_dev(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "subgraphs.kit.cli", "dev", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _wait_for(process: subprocess.Popen[str], marker: str, timeout: float) -> str:
    assert process.stdout is not None
    seen = []
    deadline = time.monotonic() + timeout
    os.set_blocking(process.stdout.fileno(), False)
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line:
            seen.append(line)
            if marker in line:
                return "".join(seen)
        elif process.poll() is not None:
            break
        else:
            time.sleep(0.05)
    raise AssertionError(f"{marker!r} not printed; output:\n{''.join(seen)}")


def _stop(process: subprocess.Popen[str]) -> int:
    """Ctrl-C as `uv run` in a terminal delivers it: twice (the terminal signals the process
    group and uv forwards it too). The second must not cut the clean-up short."""
    os.killpg(process.pid, signal.SIGINT)
    _wait_for(process, "stopping", timeout=10)
    os.killpg(process.pid, signal.SIGINT)
    _wait_for(process, "stopped", timeout=30)
    return process.wait(30)


def test_dev_runs_every_subgraph_and_reuses_data(infra: TestInfra, tmp_path: Path) -> None:
    ports = {name: free_port(0) for name in SUBGRAPHS}
    env = {
        **os.environ,
        "DATABASE_URL": infra.database_url,
        "REDIS_URL": infra.redis_url,
        "REDIS_PREFIX": infra.redis_prefix,
        "DATA_DIR": str(tmp_path),
        "ROUTER_URL": f"http://127.0.0.1:{free_port(0)}/graphql",
        **{f"{n.upper()}_SERVICE_URL": f"http://127.0.0.1:{p}/graphql" for n, p in ports.items()},
    }
    started = time.monotonic()
    process = _start_dev(env, "--no-router")
    try:
        output = _wait_for(process, "ready in", timeout=120)
        # The session database is already seeded: dev must reuse it, not reseed.
        assert "reusing it" in output
        assert "patient@predicthealth.dev" in output
        with httpx.Client(timeout=10) as client:
            for name, port in ports.items():
                health = client.get(f"http://127.0.0.1:{port}/health")
                assert health.status_code == 200, name
                assert health.json()["dependencies"]["postgresql"]["status"] == "up"
                sdl = client.post(
                    f"http://127.0.0.1:{port}/graphql", json={"query": "{ _service { sdl } }"}
                )
                assert "@key" in sdl.json()["data"]["_service"]["sdl"]
    finally:
        code = _stop(process)
    elapsed = time.monotonic() - started
    assert code == 0
    for port in ports.values():
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
    print(f"dev up and down in {elapsed:.1f}s")
