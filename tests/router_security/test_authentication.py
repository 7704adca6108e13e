"""Tokens at the router: a real login passes; forged, expired, confused and revoked ones are refused
with UNAUTHENTICATED before any subgraph is called; revocation never fails open."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import jwt
import pytest
import pytest_asyncio

from subgraphs.auth.keys import ActiveKey
from subgraphs.kit.embedded import free_port
from tests.auth.conftest import Auth, bearer
from tests.auth.test_forged_tokens import CASES
from tests.federation.testbed.subgraph import Subgraph
from tests.router_security.conftest import Routed, auth_config, routed_stack, serve_testbed
from tests.support.stack import SubgraphStack
from tests.support.tokens import TEST_PASSWORD, create_user, login

pytestmark = pytest.mark.asyncio(loop_scope="session")

#: Answered by the admins subgraph for a signed-in admin.
PROBE = "{ admins(first: 1) { __typename } }"

ECHO = Subgraph(
    name="echo",
    sdl='extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])\n'
    "type Query { hello: String }\n",
    resolvers={"Query": {"hello": lambda _r, _i: "world"}},
)


def _code(body: dict[str, Any]) -> str | None:
    errors = body.get("errors") or []
    return errors[0].get("extensions", {}).get("code") if errors else None


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def admin_token(stack: SubgraphStack, http: httpx.AsyncClient) -> tuple[str, ActiveKey]:
    """A genuine admin access token, and the signing key (to re-sign altered claims)."""
    user = await create_user(stack, http, role="admin")
    signed_in = await login(stack, http, user["email"], TEST_PASSWORD)
    key = stack.servers.run(stack.apps["auth"].state.auth.keys.active())
    return signed_in["accessToken"], key


async def test_login_then_query_through_the_router(
    stack_router: Routed, http: httpx.AsyncClient, admin_token: tuple[str, ActiveKey]
) -> None:
    status, body = await stack_router.post(http, PROBE, bearer(admin_token[0]))
    assert status == 200, body
    assert "errors" not in body, body
    assert body["data"]["admins"] is not None


async def test_missing_token_is_anonymous(stack_router: Routed, http: httpx.AsyncClient) -> None:
    # The router lets it through; the subgraph decides what an anonymous caller gets.
    status, body = await stack_router.post(http, "{ __typename }")
    assert (status, body) == (200, {"data": {"__typename": "Query"}})


async def test_malformed_header_is_refused(stack_router: Routed, http: httpx.AsyncClient) -> None:
    status, body = await stack_router.post(http, PROBE, {"authorization": "Basic YTpi"})
    assert (status, _code(body)) == (401, "UNAUTHENTICATED")


async def test_forged_tokens_are_refused_before_any_subgraph_call(
    stack: SubgraphStack, http: httpx.AsyncClient, admin_token: tuple[str, ActiveKey]
) -> None:
    token, key = admin_token
    claims = jwt.decode(token, options={"verify_signature": False})
    async with serve_testbed([ECHO], auth_config(stack)) as (routed, behaviours):
        status, body = await routed.post(http, "{ hello }", bearer(token))
        assert (status, body) == (200, {"data": {"hello": "world"}})
        calls = len(behaviours["echo"].seen_bodies)
        refused = {}
        for case, forge in CASES.items():
            status, body = await routed.post(http, "{ hello }", bearer(forge(token, claims, key)))
            refused[case] = (status, _code(body), body.get("data"))
        assert refused == dict.fromkeys(CASES, (401, "UNAUTHENTICATED", None))
        assert len(behaviours["echo"].seen_bodies) == calls


async def test_hs256_token_is_refused_even_with_a_matching_secret_guess(
    stack: SubgraphStack, http: httpx.AsyncClient, admin_token: tuple[str, ActiveKey]
) -> None:
    token, key = admin_token
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(claims, "secret" * 8, algorithm="HS256", headers={"kid": key.kid})
    async with serve_testbed([ECHO], auth_config(stack)) as (routed, behaviours):
        status, body = await routed.post(http, "{ hello }", bearer(forged))
        assert (status, _code(body)) == (401, "UNAUTHENTICATED")
        assert behaviours["echo"].seen_bodies == []


async def _refused_within(routed: Routed, http: httpx.AsyncClient, token: str) -> float:
    started = time.monotonic()
    while True:
        status, body = await routed.post(http, PROBE, bearer(token))
        if status == 401:
            assert _code(body) == "UNAUTHENTICATED", body
            return time.monotonic() - started
        assert time.monotonic() - started < 1.0, f"still accepted: {body}"
        await asyncio.sleep(0.05)


async def test_revoked_session_is_refused_within_a_second(
    stack_router: Routed, stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    auth = Auth(stack, http)
    token = (await auth.new_login("admin"))["accessToken"]
    status, body = await stack_router.post(http, PROBE, bearer(token))
    assert status == 200
    assert "errors" not in body, body
    await auth.call("mutation { logout }", headers=bearer(token))
    assert await _refused_within(stack_router, http, token) < 1.0


async def test_redis_unreachable_revocation_still_enforced(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    closed = f"redis://127.0.0.1:{free_port(0)}/0"
    auth = Auth(stack, http)
    with routed_stack(stack, auth_config(stack, redis_url=closed)) as routed:
        token = (await auth.new_login("admin"))["accessToken"]
        status, body = await routed.post(http, PROBE, bearer(token))
        assert status == 200  # the auth service vouches for it
        assert "errors" not in body, body
        await auth.call("mutation { logout }", headers=bearer(token))
        assert await _refused_within(routed, http, token) < 1.0


async def test_redis_and_auth_service_unreachable_never_fail_open(
    stack: SubgraphStack, http: httpx.AsyncClient, admin_token: tuple[str, ActiveKey]
) -> None:
    blind = auth_config(
        stack,
        redis_url=f"redis://127.0.0.1:{free_port(0)}/0",
        auth_service_url=f"http://127.0.0.1:{free_port(0)}/graphql",
    )
    async with serve_testbed([ECHO], blind) as (routed, behaviours):
        status, body = await routed.post(http, "{ hello }", bearer(admin_token[0]))
        assert (status, _code(body)) == (401, "UNAUTHENTICATED"), body
        assert "session" in body["errors"][0]["message"]
        assert behaviours["echo"].seen_bodies == []
        # Anonymous callers are unaffected: there is nothing to check.
        status, body = await routed.post(http, "{ hello }")
        assert (status, body) == (200, {"data": {"hello": "world"}})
