"""A subgraph killed (SIGKILL) under load: the router answers every request with partial data and
errors, never a 5xx, and serves full answers again once the subgraph is back."""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.reliability.support import start_router, start_subgraph, supergraph_for
from tests.support.infra import TestInfra
from tests.support.stack import SubgraphStack
from tests.support.tokens import auth_headers

pytestmark = pytest.mark.asyncio(loop_scope="session")

# `me` comes from auth (alive throughout), `doctor` from the doctors subgraph we kill.
QUERY = "query($id: ID!) { me { id role } doctor(id: $id) { id firstName } }"
WORKERS = 4


@dataclass
class Load:
    """Requests sent by a few workers until stopped, each answer tagged with the phase."""

    url: str
    body: dict[str, Any]
    headers: dict[str, str]
    phase: str = "before"
    answers: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)
    running: bool = True

    async def worker(self, client: httpx.AsyncClient) -> None:
        while self.running:
            sent = self.phase
            response = await client.post(self.url, json=self.body, headers=self.headers)
            # A request in flight when the phase changed belongs to neither phase.
            phase = sent if sent == self.phase else "transition"
            self.answers.append((phase, response.status_code, response.json()))
            await asyncio.sleep(0.02)

    def of(self, phase: str) -> list[tuple[int, dict[str, Any]]]:
        return [(status, body) for p, status, body in self.answers if p == phase]


async def _a_doctor_id(infra: TestInfra) -> str:
    engine = create_async_engine(infra.database_url)
    try:
        async with engine.connect() as conn:
            return str(
                (await conn.execute(text("SELECT id FROM doctors.doctors LIMIT 1"))).scalar()
            )
    finally:
        await engine.dispose()


async def test_router_serves_partial_data_while_a_subgraph_is_dead_and_recovers(
    own_stack: SubgraphStack, infra: TestInfra, tmp_path: Path
) -> None:
    doctors = await asyncio.to_thread(start_subgraph, "doctors", own_stack, infra)
    port = urlsplit(doctors.url).port
    urls = {name: own_stack.url(name) for name in own_stack.ports} | {"doctors": doctors.url}
    router = await asyncio.to_thread(start_router, supergraph_for(urls, tmp_path))
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            headers = await auth_headers(own_stack, client, role="admin")
            doctor_id = await _a_doctor_id(infra)
            load = Load(router.url, {"query": QUERY, "variables": {"id": doctor_id}}, headers)
            workers = [asyncio.create_task(load.worker(client)) for _ in range(WORKERS)]
            await asyncio.sleep(1.5)
            assert doctors.process is not None
            os.kill(doctors.process.pid, signal.SIGKILL)
            doctors.process.wait(10)
            load.phase = "dead"
            await asyncio.sleep(2.0)
            load.phase = "restarting"
            doctors = await asyncio.to_thread(
                start_subgraph, "doctors", own_stack, infra, port=port
            )
            load.phase = "back"
            for _ in range(300):  # up to ~30 s for ten answers after the restart
                if len(load.of("back")) >= 10:
                    break
                await asyncio.sleep(0.1)
            load.running = False
            await asyncio.gather(*workers)
    finally:
        router.stop()
        doctors.stop()

    assert all(status < 500 for _, status, _ in load.answers)
    # Whatever the phase, the live subgraph's part is always there.
    assert all(body["data"]["me"]["role"] == "ADMIN" for _, _, body in load.answers)
    for status, body in load.of("before") + load.of("back")[-10:]:
        assert status == 200
        assert body.get("errors") is None, body
        assert body["data"]["doctor"]["id"] == doctor_id
    dead = load.of("dead")
    assert dead, "no request was made while the subgraph was dead"
    for status, body in dead:
        assert status == 200
        assert body["data"]["doctor"] is None
        assert all(e["extensions"]["code"] for e in body["errors"])
