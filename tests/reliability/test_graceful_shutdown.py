"""SIGTERM drains: the router and a subgraph (real processes) finish the request in flight, refuse
new connections, and exit with status 0.

A real slow request: the test holds an exclusive lock on `doctors.specialties`, so the doctors
subgraph's SELECT waits in PostgreSQL until the test lets go, after the signal was sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.reliability.support import start_router, start_subgraph, supergraph_for
from tests.support.infra import TestInfra
from tests.support.stack import SubgraphStack

pytestmark = pytest.mark.asyncio(loop_scope="session")

SPECIALTIES = {"query": "{ specialties { id name } }"}
EXIT_WITHIN = 30.0  # generous: the drain itself is bounded by DRAIN_SECONDS (15 s)


def _dsn(infra: TestInfra) -> str:
    url = make_url(infra.database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


@contextlib.asynccontextmanager
async def specialties_locked(infra: TestInfra) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(_dsn(infra))
    tx = conn.transaction()
    await tx.start()
    try:
        await conn.execute("LOCK TABLE doctors.specialties IN ACCESS EXCLUSIVE MODE")
        yield conn
    finally:
        await tx.rollback()
        await conn.close()


async def _wait_blocked(conn: asyncpg.Connection, infra: TestInfra) -> None:
    """Until the subgraph's query waits on our lock (so the request is truly in flight)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        # Statistics are a snapshot per transaction, and we are inside the locking one.
        await conn.execute("SELECT pg_stat_clear_snapshot()")
        waiting = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 "
            "AND wait_event_type = 'Lock' AND query ILIKE '%specialties%'",
            infra.database_name,
        )
        if waiting:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the request never reached PostgreSQL")


async def _refused(url: str) -> bool:
    """True once a fresh connection to `url` is refused (the listener is closed)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            async with httpx.AsyncClient(timeout=2) as fresh:
                await fresh.get(url)
        except httpx.ConnectError:
            return True
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.1)
    return False


async def _drain(process: subprocess.Popen[str], url: str, health: str, infra: TestInfra) -> None:
    async with httpx.AsyncClient(timeout=60) as client:
        async with specialties_locked(infra) as conn:
            in_flight = asyncio.create_task(client.post(url, json=SPECIALTIES))
            await _wait_blocked(conn, infra)
            started = time.monotonic()
            os.kill(process.pid, signal.SIGTERM)
            assert await _refused(health), "new connections still accepted while draining"
            assert not in_flight.done(), "the in-flight request was cut off"
        # The lock is released: the subgraph's SELECT runs and the answer goes out.
        response = await asyncio.wait_for(in_flight, 30)
    assert response.status_code == 200
    body = response.json()
    assert body.get("errors") is None, body
    assert body["data"]["specialties"]
    status = await asyncio.to_thread(process.wait, EXIT_WITHIN)
    assert status == 0
    assert time.monotonic() - started < EXIT_WITHIN


async def test_router_drains_in_flight_requests_on_sigterm(
    own_stack: SubgraphStack, infra: TestInfra, tmp_path: Path
) -> None:
    urls = {name: own_stack.url(name) for name in own_stack.ports}
    router = start_router(supergraph_for(urls, tmp_path))
    try:
        assert router.process is not None
        health = router.url.removesuffix("/graphql") + "/health"
        await _drain(router.process, router.url, health, infra)
    finally:
        router.stop()


async def test_subgraph_drains_in_flight_requests_on_sigterm(
    own_stack: SubgraphStack, infra: TestInfra
) -> None:
    doctors = await asyncio.to_thread(start_subgraph, "doctors", own_stack, infra)
    try:
        assert doctors.process is not None
        health = doctors.url.removesuffix("/graphql") + "/health"
        await _drain(doctors.process, doctors.url, health, infra)
    finally:
        doctors.stop()
