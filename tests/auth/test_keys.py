"""Signing keys: published as JWKS, persisted (encrypted) across restarts, rotated without
breaking tokens already issued."""

from __future__ import annotations

import asyncio

import jwt
import pytest
from sqlalchemy import select

from subgraphs.auth.keys import KeyStore
from subgraphs.auth.models import SigningKey
from tests.auth.conftest import Auth, code_of
from tests.support.stack import SubgraphStack

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _jwks_url(stack: SubgraphStack) -> str:
    return stack.url("auth").replace("/graphql", "/.well-known/jwks.json")


async def test_jwks_publishes_public_keys_only(auth: Auth, stack: SubgraphStack) -> None:
    jwks = (await auth.http.get(_jwks_url(stack))).json()
    assert jwks["keys"]
    for key in jwks["keys"]:
        assert key["kty"] == "OKP"
        assert key["alg"] == "EdDSA"
        assert key["use"] == "sig"
        assert "d" not in key  # the private part


async def test_private_keys_are_encrypted_at_rest(stack: SubgraphStack) -> None:
    async def rows() -> list[SigningKey]:
        async with stack.apps["auth"].state.sessions() as session:
            return list(await session.scalars(select(SigningKey)))

    for row in stack.servers.run(rows()):
        assert row.private_key.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")


async def test_keys_survive_a_restart(stack: SubgraphStack) -> None:
    """A second store on the same database (a restart, or another replica) signs with the same key."""
    app = stack.apps["auth"]

    async def fresh_store_kid() -> str:
        store = KeyStore(app.state.sessions, stack.settings)
        await store.load(force=True)
        return (await store.active()).kid

    running = stack.servers.run(app.state.auth.keys.active()).kid
    assert stack.servers.run(fresh_store_kid()) == running


async def test_rotation_keeps_old_tokens_valid_and_signs_new_ones_with_the_new_key(
    auth: Auth, stack: SubgraphStack
) -> None:
    before = await auth.new_login("admin")
    old_kid = jwt.get_unverified_header(before["accessToken"])["kid"]
    admin = await auth.role_headers("admin")
    rotated = await auth.call("mutation { rotateSigningKey }", headers=admin)
    new_kid = rotated["data"]["rotateSigningKey"]
    assert new_kid != old_kid

    kids = {k["kid"] for k in (await auth.http.get(_jwks_url(stack))).json()["keys"]}
    assert {old_kid, new_kid} <= kids  # the old key stays published until its tokens expire
    assert await auth.accepted(before["accessToken"])

    after = await auth.new_login("admin")
    assert jwt.get_unverified_header(after["accessToken"])["kid"] == new_kid
    # Another subgraph has never seen this kid: it refetches the JWKS (after its cool-down).
    for _ in range(60):
        if await auth.accepted(after["accessToken"]):
            break
        await asyncio.sleep(0.1)
    assert await auth.accepted(after["accessToken"])


@pytest.mark.parametrize(
    ("role", "code"),
    [(None, "UNAUTHENTICATED"), ("patient", "FORBIDDEN"), ("doctor", "FORBIDDEN"),
     ("institution", "FORBIDDEN"), ("analyst", "FORBIDDEN"), ("admin", None)],
)  # fmt: skip
async def test_who_may_rotate_keys(auth: Auth, role: str | None, code: str | None) -> None:
    body = await auth.call("mutation { rotateSigningKey }", headers=await auth.role_headers(role))
    assert code_of(body) == code
