"""Plain async factories and helpers for the directory tests (real subgraphs, real database)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from subgraphs.kit.auth import SERVICE_TOKEN_HEADER
from tests.support.stack import SubgraphStack
from tests.support.tokens import TEST_PASSWORD, auth_headers, graphql

__all__ = [
    "ROLES",
    "code_of",
    "create_doctor",
    "create_institution",
    "gql",
    "headers_for",
    "relays_paused",
    "service_headers",
    "unique",
]

ROLES = ("anonymous", "patient", "doctor", "institution", "analyst", "admin")


@asynccontextmanager
async def relays_paused(stack: SubgraphStack, *names: str) -> AsyncIterator[None]:
    """Stop these subgraphs' audit outbox relays meanwhile: they share the engine, and statement
    counts must see only the request's own SQL (stopping drains what is pending first)."""
    relays = [stack.apps[name].state.audit.relay for name in names]
    for relay in relays:
        await asyncio.to_thread(stack.servers.run, relay.stop())
    try:
        yield
    finally:
        for relay in relays:
            stack.servers.loop.call_soon_threadsafe(relay.start)


_CREATE_INSTITUTION = """
mutation($input: CreateInstitutionInput!) {
  createInstitution(input: $input) { id name licenseNumber contactEmail region institutionType }
}"""
_CREATE_DOCTOR = """
mutation($input: CreateDoctorInput!) {
  createDoctor(input: $input) { id firstName lastName email medicalLicense licenseStatus
    institution { id } specialty { id name } }
}"""


def unique() -> str:
    return uuid.uuid4().hex[:10]


def service_headers(stack: SubgraphStack) -> dict[str, str]:
    return {SERVICE_TOKEN_HEADER: stack.settings.service_token}


async def headers_for(
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    role: str,
    profile_id: uuid.UUID | str | None = None,
) -> dict[str, str]:
    """Authorization for a role; `anonymous` is no header at all."""
    if role == "anonymous":
        return {}
    return await auth_headers(stack, http, role=role, profile_id=profile_id)


async def gql(  # noqa: PLR0917 - terse call sites in tests
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    subgraph: str,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    return await graphql(http, stack.url(subgraph), query, variables, headers)


def code_of(body: dict[str, Any]) -> str | None:
    """The first error's code, or None when the operation succeeded."""
    errors = body.get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None


def _licence(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().int % 10**9:09d}"


async def create_institution(
    stack: SubgraphStack, http: httpx.AsyncClient, **overrides: Any
) -> dict[str, Any]:
    """An institution (and its login) created through the API with the service credential."""
    tag = unique()
    values: dict[str, Any] = {
        "name": f"Hospital {tag}",
        "institutionType": "HOSPITAL",
        "contactEmail": f"inst-{tag}@tests.predicthealth.dev",
        "password": TEST_PASSWORD,
        "licenseNumber": _licence("TST"),
        "region": "Jalisco",
        "phone": "+52 33 1234 5678",
        "address": "Av. Juárez 100, Guadalajara",
        "website": f"https://{tag}.example.org",
    }
    values.update(overrides)
    body = await gql(stack, http, "institutions", _CREATE_INSTITUTION, {"input": values},
                     service_headers(stack))  # fmt: skip
    assert not body.get("errors"), body
    created: dict[str, Any] = body["data"]["createInstitution"]
    return created


async def create_doctor(
    stack: SubgraphStack, http: httpx.AsyncClient, **overrides: Any
) -> dict[str, Any]:
    """A doctor (and their login) created through the API with the service credential."""
    tag = unique()
    values: dict[str, Any] = {
        "firstName": "Ana",
        "lastName": f"Doctor {tag}",
        "email": f"doc-{tag}@tests.predicthealth.dev",
        "password": TEST_PASSWORD,
        "medicalLicense": _licence("MED"),
        "phone": "+52 55 1111 2222",
        "yearsExperience": 5,
        "consultationFee": "800.00",
    }
    values.update(overrides)
    body = await gql(stack, http, "doctors", _CREATE_DOCTOR, {"input": values},
                     service_headers(stack))  # fmt: skip
    assert not body.get("errors"), body
    created: dict[str, Any] = body["data"]["createDoctor"]
    return created
