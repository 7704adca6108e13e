"""Who may do what on patients and admins: one test per operation, every role in a table.

"ok" means the operation succeeded; None for a query means "answered null" (not found, no hint);
any other value is the expected `extensions.code`.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.directory.factories import gql
from tests.patients.helpers import (
    ROLES,
    as_role,
    code_of,
    create_patient,
    new_doctor,
    patients_gql,
    service,
)
from tests.support.stack import SubgraphStack
from tests.support.tokens import TEST_PASSWORD

pytestmark = pytest.mark.asyncio(loop_scope="session")

U, F, N = "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND"


def _table(**expected: Any) -> list[Any]:
    return [pytest.param(role, expected[role], id=role) for role in ROLES]


async def _own_patient(stack: SubgraphStack, http: httpx.AsyncClient) -> dict[str, Any]:
    """A fresh patient of the demo doctor (and so of the demo institution)."""
    return await create_patient(stack, http, await as_role(stack, http, "doctor"))


def _outcome(body: dict[str, Any], field: str) -> Any:
    code = code_of(body)
    if code is not None:
        return code
    return "ok" if body["data"][field] is not None else None


@pytest.mark.parametrize(("role", "expected"), _table(
    anonymous=U, patient=None, doctor="ok", institution="ok", analyst=None, admin="ok"))  # fmt: skip
async def test_read_one_patient(stack: SubgraphStack, http: httpx.AsyncClient, role: str,
                                expected: Any) -> None:  # fmt: skip
    target = await _own_patient(stack, http)
    body = await patients_gql(stack, http, "query($id: ID!) { patient(id: $id) { id email } }",
                              {"id": target["id"]}, await as_role(stack, http, role))  # fmt: skip
    assert _outcome(body, "patient") == expected


@pytest.mark.parametrize(("role", "expected"), _table(
    anonymous=U, patient="self", doctor="own", institution="own", analyst="none", admin="all"))  # fmt: skip
async def test_list_patients(stack: SubgraphStack, http: httpx.AsyncClient, demo: dict[str, str],
                             role: str, expected: str) -> None:  # fmt: skip
    query = "{ patients(first: 100) { edges { node { id doctor { id } institution { id } } } } }"
    body = await patients_gql(stack, http, query, None, await as_role(stack, http, role))
    if expected == U:
        assert code_of(body) == U
        return
    nodes = [e["node"] for e in body["data"]["patients"]["edges"]]
    if expected == "self":
        assert [n["id"] for n in nodes] == [demo["patient"]]
    elif expected == "own":
        key = "doctor" if role == "doctor" else "institution"
        assert nodes
        assert all(n[key]["id"] == demo[key] for n in nodes)
    elif expected == "none":
        assert nodes == []
    else:
        assert len(nodes) == 100


async def test_filters_never_leak(stack: SubgraphStack, http: httpx.AsyncClient) -> None:
    other, other_headers = await new_doctor(stack, http)
    mine = await create_patient(stack, http, other_headers)
    query = "query($f: PatientFilterInput) { patients(filter: $f) { edges { node { id } } } }"
    demo_doctor = await as_role(stack, http, "doctor")
    body = await patients_gql(stack, http, query, {"f": {"doctorIds": [other["id"]]}}, demo_doctor)
    assert body["data"]["patients"]["edges"] == []
    body = await patients_gql(
        stack, http, query, {"f": {"doctorIds": [other["id"]]}}, other_headers
    )
    assert [e["node"]["id"] for e in body["data"]["patients"]["edges"]] == [mine["id"]]
    body = await patients_gql(stack, http, "query($id: ID!) { patient(id: $id) { id } }",
                              {"id": mine["id"]}, demo_doctor)  # fmt: skip
    assert body["data"]["patient"] is None


@pytest.mark.parametrize(("role", "expected"), _table(
    anonymous=U, patient=F, doctor="ok", institution="ok", analyst=F, admin="ok"))  # fmt: skip
async def test_create_patient(stack: SubgraphStack, http: httpx.AsyncClient, role: str,
                              expected: str) -> None:  # fmt: skip
    tag = uuid.uuid4().hex[:10]
    query = "mutation($i: CreatePatientInput!) { createPatient(input: $i) { id } }"
    variables = {"i": {"firstName": "A", "lastName": f"B {tag}", "password": TEST_PASSWORD,
                       "email": f"m-{tag}@tests.predicthealth.dev", "dateOfBirth": "2001-01-01",
                       "gender": "OTHER"}}  # fmt: skip
    body = await patients_gql(stack, http, query, variables, await as_role(stack, http, role))
    assert _outcome(body, "createPatient") == expected


@pytest.mark.parametrize(("role", "expected"), _table(
    anonymous=U, patient=N, doctor="ok", institution="ok", analyst=N, admin="ok"))  # fmt: skip
async def test_update_patient(stack: SubgraphStack, http: httpx.AsyncClient, role: str,
                              expected: str) -> None:  # fmt: skip
    target = await _own_patient(stack, http)
    query = (
        'mutation($id: ID!) { updatePatient(id: $id, input: {phone: "+52 33 9999 0000"}) { id } }'
    )
    body = await patients_gql(stack, http, query, {"id": target["id"]},
                              await as_role(stack, http, role))  # fmt: skip
    assert _outcome(body, "updatePatient") == expected


async def test_patient_edits_own_phone_only(stack: SubgraphStack, http: httpx.AsyncClient,
                                            demo: dict[str, str]) -> None:  # fmt: skip
    me = await as_role(stack, http, "patient")
    query = "mutation($id: ID!, $i: UpdatePatientInput!) { updatePatient(id: $id, input: $i) { phone } }"
    body = await patients_gql(stack, http, query,
                              {"id": demo["patient"], "i": {"phone": "+52 81 1234 5678"}}, me)  # fmt: skip
    assert body["data"]["updatePatient"]["phone"] == "+52 81 1234 5678"
    body = await patients_gql(stack, http, query,
                              {"id": demo["patient"], "i": {"lastName": "Changed"}}, me)  # fmt: skip
    assert code_of(body) == F


@pytest.mark.parametrize(("role", "expected"), _table(
    anonymous=U, patient=N, doctor="ok", institution="ok", analyst=N, admin="BAD_USER_INPUT"))  # fmt: skip
async def test_validate_patient(stack: SubgraphStack, http: httpx.AsyncClient, role: str,
                                expected: str) -> None:  # fmt: skip
    target = await _own_patient(stack, http)
    query = "mutation($id: ID!) { validatePatient(id: $id) { validationStatus } }"
    body = await patients_gql(stack, http, query, {"id": target["id"]},
                              await as_role(stack, http, role))  # fmt: skip
    assert _outcome(body, "validatePatient") == expected


@pytest.mark.parametrize(("role", "expected"), _table(
    anonymous=U, patient=N, doctor=F, institution=F, analyst=N, admin="ok"))  # fmt: skip
async def test_set_validation_status(stack: SubgraphStack, http: httpx.AsyncClient, role: str,
                                     expected: str) -> None:  # fmt: skip
    target = await _own_patient(stack, http)
    query = "mutation($id: ID!) { setPatientValidationStatus(id: $id, status: FULL_ACCESS) { id } }"
    body = await patients_gql(stack, http, query, {"id": target["id"]},
                              await as_role(stack, http, role))  # fmt: skip
    assert _outcome(body, "setPatientValidationStatus") == expected


@pytest.mark.parametrize(("role", "expected"), _table(
    anonymous=U, patient=N, doctor="ok", institution="ok", analyst=N, admin="ok"))  # fmt: skip
async def test_deactivate_patient(stack: SubgraphStack, http: httpx.AsyncClient, role: str,
                                  expected: str) -> None:  # fmt: skip
    target = await _own_patient(stack, http)
    query = "mutation($id: ID!) { deactivatePatient(id: $id) { isActive } }"
    body = await patients_gql(stack, http, query, {"id": target["id"]},
                              await as_role(stack, http, role))  # fmt: skip
    assert _outcome(body, "deactivatePatient") == expected


@pytest.mark.parametrize(("role", "expected"), _table(
    anonymous=U, patient=N, doctor=F, institution=F, analyst=N, admin="ok"))  # fmt: skip
async def test_delete_patient(stack: SubgraphStack, http: httpx.AsyncClient, role: str,
                              expected: str) -> None:  # fmt: skip
    target = await _own_patient(stack, http)
    query = "mutation($id: ID!) { deletePatient(id: $id) }"
    body = await patients_gql(stack, http, query, {"id": target["id"]},
                              await as_role(stack, http, role))  # fmt: skip
    assert _outcome(body, "deletePatient") == expected
    if expected == "ok":
        again = await patients_gql(stack, http, "query($id: ID!) { patient(id: $id) { id } }",
                                   {"id": target["id"]}, service(stack))  # fmt: skip
        assert again["data"]["patient"] is None


@pytest.mark.parametrize(("role", "expected"), _table(
    anonymous=U, patient=N, doctor="ok", institution="ok", analyst=N, admin="ok"))  # fmt: skip
async def test_add_emergency_contact(stack: SubgraphStack, http: httpx.AsyncClient, role: str,
                                     expected: str) -> None:  # fmt: skip
    target = await _own_patient(stack, http)
    query = """mutation($id: ID!) { addEmergencyContact(patientId: $id, input: {name: "Rosa",
      relationship: "sister", phone: "+52 55 1234 0000"}) { id isPrimary } }"""
    body = await patients_gql(stack, http, query, {"id": target["id"]},
                              await as_role(stack, http, role))  # fmt: skip
    assert _outcome(body, "addEmergencyContact") == expected


@pytest.mark.parametrize(("role", "expected"), _table(
    anonymous=U, patient=F, doctor="ok", institution="ok", analyst="ok", admin="ok"))  # fmt: skip
async def test_patient_statistics(stack: SubgraphStack, http: httpx.AsyncClient, role: str,
                                  expected: str) -> None:  # fmt: skip
    query = "{ patientStatistics { total byDoctor { key count } } }"
    body = await patients_gql(stack, http, query, None, await as_role(stack, http, role))
    assert _outcome(body, "patientStatistics") == expected
    if role == "analyst":
        assert body["data"]["patientStatistics"]["byDoctor"] is None


_ADMIN_QUERIES = {
    "admins": "{ admins(first: 5) { edges { node { id } } } }",
    "auditEvents": "{ auditEvents(first: 5) { edges { node { id } } } }",
    "systemStatistics": "{ systemStatistics { usersByRole { key count } } }",
}


@pytest.mark.parametrize("field", list(_ADMIN_QUERIES))
@pytest.mark.parametrize("role", ROLES)
async def test_admin_queries(stack: SubgraphStack, http: httpx.AsyncClient, field: str,
                             role: str) -> None:  # fmt: skip
    body = await gql(stack, http, "admins", _ADMIN_QUERIES[field], None,
                     await as_role(stack, http, role))  # fmt: skip
    allowed = {"admin"} | ({"analyst"} if field == "systemStatistics" else set())
    expected = U if role == "anonymous" else "ok" if role in allowed else F
    assert _outcome(body, field) == expected


@pytest.mark.parametrize(("role", "expected"), _table(
    anonymous=U, patient=F, doctor=F, institution=F, analyst=F, admin="ok"))  # fmt: skip
async def test_create_admin(stack: SubgraphStack, http: httpx.AsyncClient, role: str,
                            expected: str) -> None:  # fmt: skip
    tag = uuid.uuid4().hex[:10]
    query = """mutation($i: CreateAdminInput!) { createAdmin(input: $i) { id userId } }"""
    variables = {"i": {"firstName": "Ada", "lastName": f"L {tag}", "password": TEST_PASSWORD,
                       "email": f"adm-{tag}@tests.predicthealth.dev"}}  # fmt: skip
    body = await gql(stack, http, "admins", query, variables, await as_role(stack, http, role))
    assert _outcome(body, "createAdmin") == expected
    if expected == "ok":
        assert body["data"]["createAdmin"]["userId"]


@pytest.mark.parametrize(("role", "expected"), _table(
    anonymous=U, patient=F, doctor=F, institution=F, analyst=F, admin=F))  # fmt: skip
async def test_append_audit_events_is_service_only(stack: SubgraphStack, http: httpx.AsyncClient,
                                                   role: str, expected: str) -> None:  # fmt: skip
    query = """mutation($e: [AuditEventInput!]!) { appendAuditEvents(events: $e) { appended } }"""
    event = {"id": str(uuid.uuid4()), "occurredAt": "2026-01-01T00:00:00+00:00",
             "service": "forged", "action": "forged", "outcome": "success"}  # fmt: skip
    body = await gql(stack, http, "admins", query, {"e": [event]}, await as_role(stack, http, role))
    assert _outcome(body, "appendAuditEvents") == expected


@pytest.mark.parametrize("role", ROLES)
async def test_admin_by_id_is_admins_only(stack: SubgraphStack, http: httpx.AsyncClient,
                                          demo: dict[str, str], role: str) -> None:  # fmt: skip
    body = await gql(stack, http, "admins", "query($id: ID!) { admin(id: $id) { id } }",
                     {"id": demo["admin"]}, await as_role(stack, http, role))  # fmt: skip
    expected = U if role == "anonymous" else "ok" if role == "admin" else None
    assert _outcome(body, "admin") == expected
