"""Revocation never fails open: Redis down, Redis emptied, and Redis and auth both down."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from redis.asyncio import Redis

from subgraphs.kit.app import create_subgraph_app
from subgraphs.kit.auth import revocation_keys
from subgraphs.kit.embedded import free_port
from subgraphs.kit.registry import load_definition
from tests.auth.conftest import PROBE, Auth, accepted_at, bearer
from tests.support.stack import SubgraphStack

pytestmark = pytest.mark.asyncio(loop_scope="session")


@contextmanager
def extra_admins(stack: SubgraphStack, **overrides: Any) -> Iterator[str]:
    """Another admins subgraph process-alike with its own settings; yields its GraphQL URL."""
    redis_url = overrides.pop("redis_url", None)
    settings = stack.settings.model_copy(update=overrides)
    app = create_subgraph_app(load_definition("admins"), settings=settings, redis_url=redis_url)
    port = free_port(0)
    server = stack.servers.serve(app, port)
    stack.servers.wait_started()
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        stack.servers.stop(server)


async def _refused_within(auth: Auth, url: str, token: str, seconds: float) -> float:
    loop = asyncio.get_running_loop()
    started = loop.time()
    while await accepted_at(auth.http, url, token):
        elapsed = loop.time() - started
        assert elapsed < seconds, f"token still accepted after {elapsed:.2f}s"
        await asyncio.sleep(0.05)
    return loop.time() - started


async def test_redis_unreachable_revocation_still_enforced(
    auth: Auth, stack: SubgraphStack
) -> None:
    closed = f"redis://127.0.0.1:{free_port(0)}/0"
    with extra_admins(stack, redis_url=closed) as url:
        signed_in = await auth.new_login("admin")
        token = signed_in["accessToken"]
        assert await accepted_at(auth.http, url, token)  # the auth service vouches for it
        await auth.call("mutation { logout }", headers=bearer(token))
        assert await _refused_within(auth, url, token, 1.0) < 1.0


async def test_redis_and_auth_both_unreachable_refuse(auth: Auth, stack: SubgraphStack) -> None:
    closed_redis = f"redis://127.0.0.1:{free_port(0)}/0"
    jwks = stack.url("auth").replace("/graphql", "/.well-known/jwks.json")
    with extra_admins(
        stack,
        redis_url=closed_redis,
        jwt_jwks_url=jwks,  # keys still reachable: only the revocation check is blind
        auth_service_url=f"http://127.0.0.1:{free_port(0)}/graphql",
    ) as url:
        token = (await auth.role_headers("admin"))["authorization"].split()[1]
        assert await auth.accepted(token)  # fine where revocation can be checked
        response = await auth.http.post(url, json={"query": PROBE}, headers=bearer(token))
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert "session" in error["message"]


async def test_redis_lost_its_data_the_mirror_is_not_trusted(
    auth: Auth, stack: SubgraphStack
) -> None:
    signed_in = await auth.new_login("admin")
    token = signed_in["accessToken"]
    _, _, ready = revocation_keys(stack.settings)
    redis = Redis.from_url(stack.infra.redis_url)
    mirror = stack.apps["auth"].state.auth.mirror
    try:
        # Simulate a Redis restart: the marker and our revocation keys vanish, and the auth
        # service cannot write the new revocation (we delete it right after).
        await redis.delete(ready)
        await auth.call("mutation { logout }", headers=bearer(token))
        sid_prefix, _, _ = revocation_keys(stack.settings)
        await redis.delete(f"{sid_prefix}{signed_in['sessionId']}")
        assert await _refused_within(auth, stack.url("admins"), token, 1.0) < 1.0
    finally:
        stack.servers.run(mirror.resync())
        await redis.aclose()
    # The resync restored the mirror: Redis alone answers again, and correctly.
    assert not await auth.accepted(token)


async def test_auth_without_redis_still_signs_in_checks_revocation_and_locks(
    auth: Auth, stack: SubgraphStack
) -> None:
    from subgraphs.auth.throttle import LoginPolicy
    from tests.support.tokens import TEST_PASSWORD, create_user

    closed = f"redis://127.0.0.1:{free_port(0)}/0"
    app = create_subgraph_app(load_definition("auth"), settings=stack.settings, redis_url=closed)
    port = free_port(0)
    server = stack.servers.serve(app, port)
    stack.servers.wait_started()
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        app.state.auth.policy = LoginPolicy(account_lock_after=3, lock_seconds=60)
        user = await create_user(stack, auth.http, role="patient")
        login = (
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }"
        )

        async def attempt(password: str) -> dict[str, Any]:
            body = await auth.http.post(
                url, json={"query": login, "variables": {"e": user["email"], "p": password}}
            )
            result: dict[str, Any] = body.json()
            return result

        signed_in = await attempt(TEST_PASSWORD)
        token = signed_in["data"]["login"]["accessToken"]
        me = await auth.http.post(url, json={"query": "{ me { id } }"}, headers=bearer(token))
        assert me.json()["data"]["me"]["id"] == user["id"]  # revocation answered by its database
        await auth.http.post(url, json={"query": "mutation { logout }"}, headers=bearer(token))
        me = await auth.http.post(url, json={"query": "{ me { id } }"}, headers=bearer(token))
        assert me.json()["data"]["me"] is None

        for _ in range(3):
            failed = await attempt("not the password at all")
            assert failed["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        locked = await attempt(TEST_PASSWORD)
        assert locked["errors"][0]["extensions"]["code"] == "TOO_MANY_REQUESTS"
    finally:
        stack.servers.stop(server)
