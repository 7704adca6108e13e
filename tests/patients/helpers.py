"""Helpers of the patients/admins tests: callers by role, patient factories, audit polling."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from subgraphs.kit.auth import SERVICE_TOKEN_HEADER
from subgraphs.kit.seeding import DEMO_LOGINS
from tests.directory.factories import code_of, create_doctor, create_institution, gql
from tests.support.stack import SubgraphStack
from tests.support.tokens import TEST_PASSWORD, auth_headers

__all__ = [
    "ROLES",
    "as_role",
    "code_of",
    "create_patient",
    "new_doctor",
    "patients_gql",
    "service",
    "wait_for_events",
]

ROLES = ("anonymous", "patient", "doctor", "institution", "analyst", "admin")

_CREATE = """mutation($input: CreatePatientInput!) { createPatient(input: $input) {
  id firstName lastName email age validationStatus doctor { id } institution { id } } }"""
_EVENTS = """query($f: AuditEventFilter, $first: Int!) { auditEvents(filter: $f, first: $first) {
  edges { node { id seq action outcome actorRole actorUserId sessionId requestId ip service
  targetType targetIds fields occurredAt } } } }"""


def service(stack: SubgraphStack) -> dict[str, str]:
    return {SERVICE_TOKEN_HEADER: stack.settings.service_token}


async def as_role(stack: SubgraphStack, http: httpx.AsyncClient, role: str) -> dict[str, str]:
    """The demo login of `role` (anonymous: no header)."""
    if role == "anonymous":
        return {}
    return await auth_headers(stack, http, role=role, email=DEMO_LOGINS[role])


async def patients_gql(
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    return await gql(stack, http, "patients", query, variables, headers)


async def create_patient(
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    headers: dict[str, str] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A patient (and login) created by `headers` (default: the service credential)."""
    tag = uuid.uuid4().hex[:10]
    values: dict[str, Any] = {
        "firstName": "Lucía", "lastName": f"Paciente {tag}",
        "email": f"pat-{tag}@tests.predicthealth.dev", "password": TEST_PASSWORD,
        "dateOfBirth": "1985-03-14", "gender": "FEMALE", "phone": "+52 55 2222 3333",
    }  # fmt: skip
    values.update(overrides)
    body = await patients_gql(stack, http, _CREATE, {"input": values}, headers or service(stack))
    assert not body.get("errors"), body
    created: dict[str, Any] = body["data"]["createPatient"]
    return created


async def new_doctor(
    stack: SubgraphStack, http: httpx.AsyncClient, institution_id: str | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """A fresh doctor (at a fresh institution unless given) and a login for them."""
    if institution_id is None:
        institution_id = (await create_institution(stack, http))["id"]
    doctor = await create_doctor(stack, http, institutionId=institution_id)
    headers = await auth_headers(stack, http, role="doctor", profile_id=doctor["id"])
    return doctor, headers


async def wait_for_events(
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    where: dict[str, Any],
    *,
    until: Any,
    wait: float = 15.0,
) -> list[dict[str, Any]]:
    """Poll the audit log (as the demo admin) until `until(events)` holds."""
    admin = await as_role(stack, http, "admin")
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        body = await gql(stack, http, "admins", _EVENTS, {"f": where, "first": 100}, admin)
        assert not body.get("errors"), body
        events = [e["node"] for e in body["data"]["auditEvents"]["edges"]]
        if until(events) or asyncio.get_running_loop().time() > deadline:
            return events
        await asyncio.sleep(0.2)
