"""Patients and admins through the federation router: joins across subgraphs, the role table
for the main operations, and constant SQL for nested doctor → patients queries."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.patients.helpers import ROLES, as_role, code_of, create_patient
from tests.support.stack import SubgraphStack, serve_router
from tests.support.tokens import TEST_PASSWORD, graphql

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture(scope="module")
def router_url(stack: SubgraphStack) -> Iterator[str]:
    with serve_router(stack) as url:
        yield url


JOINED = """{ patients(first: 5) { edges { node { firstName age
  doctor { lastName patientCount }
  institution { name patientCount } } } } }"""


async def test_patients_joined_with_doctor_and_institution(
    stack: SubgraphStack, http: httpx.AsyncClient, router_url: str, demo: dict[str, str]
) -> None:
    body = await graphql(http, router_url, JOINED, None, await as_role(stack, http, "doctor"))
    assert not body.get("errors"), body
    nodes = [e["node"] for e in body["data"]["patients"]["edges"]]
    assert nodes
    doctors = {n["doctor"]["lastName"] for n in nodes}
    assert len(doctors) == 1  # a doctor sees only their own patients
    assert all(n["doctor"]["patientCount"] >= len(nodes) for n in nodes)
    assert all(n["institution"]["name"] for n in nodes)


NESTED = """{ doctors(first: 10) { edges { node { lastName patientCount
  patients(first: 3) { edges { node { id lastName emergencyContacts { name } } } } } } } }"""


async def test_doctor_patients_constant_statements(
    stack: SubgraphStack, http: httpx.AsyncClient, router_url: str
) -> None:
    admin = await as_role(stack, http, "admin")
    relay = stack.apps["patients"].state.audit.relay
    await asyncio.to_thread(stack.servers.run, relay.stop())
    try:
        with stack.statements.counting() as counts:
            body = await graphql(http, router_url, NESTED, None, admin)
    finally:
        stack.servers.loop.call_soon_threadsafe(relay.start)
    assert not body.get("errors"), body
    edges = body["data"]["doctors"]["edges"]
    assert len(edges) == 10
    assert sum(e["node"]["patientCount"] for e in edges) > 0
    assert counts.get("patients", 0) <= 6  # page + count + contacts + the read record


def _outcome(body: dict[str, Any], field: str) -> Any:
    code = code_of(body)
    if code is not None:
        return code
    return "ok" if body["data"][field] is not None else None


READ = {"anonymous": "UNAUTHENTICATED", "patient": None, "doctor": "ok", "institution": "ok",
        "analyst": None, "admin": "ok"}  # fmt: skip
CREATE = {"anonymous": "UNAUTHENTICATED", "patient": "FORBIDDEN", "doctor": "ok",
          "institution": "ok", "analyst": "FORBIDDEN", "admin": "ok"}  # fmt: skip
AUDIT = {"anonymous": "UNAUTHENTICATED", "patient": "FORBIDDEN", "doctor": "FORBIDDEN",
         "institution": "FORBIDDEN", "analyst": "FORBIDDEN", "admin": "ok"}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
async def test_role_table_through_the_router(
    stack: SubgraphStack, http: httpx.AsyncClient, router_url: str, role: str
) -> None:
    headers = await as_role(stack, http, role)
    target = await create_patient(stack, http, await as_role(stack, http, "doctor"))
    read = await graphql(http, router_url, "query($id: ID!) { patient(id: $id) { id lastName } }",
                         {"id": target["id"]}, headers)  # fmt: skip
    assert _outcome(read, "patient") == READ[role]
    tag = uuid.uuid4().hex[:10]
    create = await graphql(http, router_url, """mutation($i: CreatePatientInput!) {
      createPatient(input: $i) { id doctor { lastName } } }""", {"i": {"firstName": "R",
      "lastName": f"Router {tag}", "email": f"r-{tag}@tests.predicthealth.dev",
      "password": TEST_PASSWORD, "dateOfBirth": "1970-07-07", "gender": "MALE"}}, headers)  # fmt: skip
    assert _outcome(create, "createPatient") == CREATE[role]
    audit = await graphql(http, router_url, "{ auditEvents(first: 2) { edges { node { action } } } }",
                          None, headers)  # fmt: skip
    assert _outcome(audit, "auditEvents") == AUDIT[role]
