"""The test login helper works end to end: create, sign in, call another subgraph."""

from __future__ import annotations

import httpx
import pytest

from tests.auth.conftest import PROBE, accepted_at
from tests.support.stack import SubgraphStack
from tests.support.tokens import auth_headers, graphql

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_auth_headers_authenticate_on_every_subgraph(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    headers = await auth_headers(stack, http, role="admin")
    me = await graphql(http, stack.url("auth"), "{ me { email role } }", headers=headers)
    assert me["data"]["me"]["role"] == "ADMIN", me
    jwks = (await http.get(stack.url("auth").replace("/graphql", "/.well-known/jwks.json"))).json()
    assert jwks["keys"]
    assert all(k["alg"] == "EdDSA" and k["kid"] for k in jwks["keys"])
    assert await auth_headers(stack, http, role="admin") == headers  # cached


async def test_another_subgraph_verifies_the_token(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    headers = await auth_headers(stack, http, role="admin", email="admin@predicthealth.dev")
    assert await accepted_at(http, stack.url("admins"), headers["authorization"].split()[1])
    refused = await graphql(
        http, stack.url("admins"), PROBE, headers={"authorization": "Bearer not.a.jwt"}
    )
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", refused
