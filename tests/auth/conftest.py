"""Helpers for the auth tests: GraphQL calls, fresh logins, role headers, unique client IPs."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest_asyncio

from subgraphs.kit.auth import SERVICE_TOKEN_HEADER
from tests.support.stack import SubgraphStack
from tests.support.tokens import TEST_PASSWORD, auth_headers, create_user, graphql

ROLES = ("patient", "doctor", "institution", "analyst", "admin")
#: A cheap query another subgraph answers only for authenticated callers.
PROBE = "{ admins(first: 1) { __typename } }"
_ips = itertools.count(1)


def unique_ip() -> str:
    """A client address of its own (via X-Forwarded-For), so per-IP throttling of one test
    never spills into another."""
    n = next(_ips)
    return f"198.18.{n // 250}.{n % 250 + 1}"


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def accepted_at(http: httpx.AsyncClient, url: str, token: str) -> bool:
    body = await graphql(http, url, PROBE, headers=bearer(token))
    code = code_of(body)
    # The probe must reach the resolver; a schema change there must fail loudly, not pass.
    assert code not in ("GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"), body
    return code != "UNAUTHENTICATED"


def code_of(body: dict[str, Any]) -> str | None:
    errors = body.get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None


@dataclass
class Auth:
    """The auth subgraph as the tests see it."""

    stack: SubgraphStack
    http: httpx.AsyncClient

    @property
    def url(self) -> str:
        return self.stack.url("auth")

    def service_headers(self) -> dict[str, str]:
        return {SERVICE_TOKEN_HEADER: self.stack.settings.service_token}

    async def call(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        return await graphql(self.http, self.url, query, variables, headers)

    async def accepted(self, token: str, subgraph: str = "admins") -> bool:
        """Whether another subgraph takes this token as a signed-in caller: its authenticated-only
        field answers with anything but UNAUTHENTICATED (data, FORBIDDEN for a role, or even
        a bug of its own: authentication happened before it)."""
        return await accepted_at(self.http, self.stack.url(subgraph), token)

    async def new_login(
        self, role: str = "patient", headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """A brand-new user signed in once: {accessToken, refreshToken, sessionId, user, …}."""
        user = await create_user(self.stack, self.http, role=role)
        body = await self.login(user["email"], TEST_PASSWORD, headers)
        assert "errors" not in body, body
        result: dict[str, Any] = body["data"]["login"]
        return result

    async def login(
        self, email: str, password: str, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        return await self.call(LOGIN, {"email": email, "password": password}, headers)

    async def role_headers(self, role: str | None) -> dict[str, str]:
        if role is None:
            return {}
        return await auth_headers(self.stack, self.http, role=role)


LOGIN = """
mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    accessToken refreshToken expiresIn sessionId user { id email role }
  }
}"""
REFRESH = """
mutation($token: String!) {
  refreshToken(refreshToken: $token) { accessToken refreshToken sessionId }
}"""


@pytest_asyncio.fixture(loop_scope="session")
async def auth(stack: SubgraphStack, http: httpx.AsyncClient) -> AsyncIterator[Auth]:
    yield Auth(stack, http)
