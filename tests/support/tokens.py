"""Real logins for tests: create a user through the auth subgraph's service mutation, sign in,
and hand back the Authorization header. Logins are cached per stack (bcrypt costs ~0.25 s)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from subgraphs.kit.auth import SERVICE_TOKEN_HEADER
from subgraphs.kit.seeding import DEMO_LOGINS, DEMO_PASSWORD
from tests.support.stack import SubgraphStack

__all__ = ["TEST_PASSWORD", "auth_headers", "create_user", "graphql", "login"]

TEST_PASSWORD = "tests-only: a sturdy passphrase 7"

_LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    accessToken refreshToken expiresIn tokenType sessionId
    user { id email role profileId isActive }
  }
}"""
_CREATE_USER = """
mutation CreateUser($input: CreateUserInput!) {
  createUser(input: $input) { id email role profileId }
}"""

_cache: dict[tuple[int, str, str | None, str | None], dict[str, str]] = {}


async def graphql(
    http: httpx.AsyncClient,
    url: str,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """POST a GraphQL operation; returns the whole JSON body (data and errors)."""
    response = await http.post(
        url, json={"query": query, "variables": variables or {}}, headers=headers or {}
    )
    body: dict[str, Any] = response.json()
    return body


async def login(
    stack: SubgraphStack, http: httpx.AsyncClient, email: str, password: str
) -> dict[str, Any]:
    """Sign in on the auth subgraph: {accessToken, refreshToken, expiresIn, sessionId, user}."""
    body = await graphql(http, stack.url("auth"), _LOGIN, {"email": email, "password": password})
    if body.get("errors"):
        raise AssertionError(f"login of {email} failed: {body['errors']}")
    result: dict[str, Any] = body["data"]["login"]
    return result


async def create_user(
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    *,
    role: str,
    email: str | None = None,
    password: str | None = TEST_PASSWORD,
    profile_id: uuid.UUID | str | None = None,
) -> dict[str, Any]:
    """A new login via `createUser` with the service token; returns {id, email, role, profileId}."""
    variables = {
        "input": {
            "email": email or f"{role}-{uuid.uuid4().hex[:12]}@tests.predicthealth.dev",
            "password": password,
            "role": role.upper(),
            "profileId": str(profile_id) if profile_id else None,
        }
    }
    body = await graphql(
        http, stack.url("auth"), _CREATE_USER, variables,
        headers={SERVICE_TOKEN_HEADER: stack.settings.service_token},
    )  # fmt: skip
    if body.get("errors"):
        raise AssertionError(f"createUser failed: {body['errors']}")
    user: dict[str, Any] = body["data"]["createUser"]
    return user


async def auth_headers(
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    *,
    role: str,
    profile_id: uuid.UUID | str | None = None,
    email: str | None = None,
    fresh: bool = False,
) -> dict[str, str]:
    """`{"authorization": "Bearer …"}` for a login with this role (and profile).

    A demo email signs in with the demo password; any other email (or none: a generated one) is
    created first. Same arguments, same stack → the cached header, unless `fresh`.
    """
    key = (id(stack), role, str(profile_id) if profile_id else None, email)
    if not fresh and key in _cache:
        return dict(_cache[key])
    if email is not None and email in DEMO_LOGINS.values():
        signed_in = await login(stack, http, email, DEMO_PASSWORD)
    else:
        user = await create_user(stack, http, role=role, email=email, profile_id=profile_id)
        signed_in = await login(stack, http, user["email"], TEST_PASSWORD)
    headers = {"authorization": f"Bearer {signed_in['accessToken']}"}
    _cache[key] = headers
    return dict(headers)
