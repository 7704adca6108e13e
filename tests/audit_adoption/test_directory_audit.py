"""Doctors and institutions: every mutation, done or refused, is an audit event in the admins
store, with the caller, their role, the request id and what was touched (never a password)."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.audit_adoption.helpers import event_of, request_headers
from tests.directory.factories import code_of, create_doctor, create_institution, gql
from tests.patients.helpers import as_role, service
from tests.support.stack import SubgraphStack
from tests.support.tokens import TEST_PASSWORD

pytestmark = pytest.mark.asyncio(loop_scope="session")

_UPDATE_DOCTOR = (
    'mutation($id: ID!) { updateDoctor(id: $id, input: {phone: "+52 55 9999 0000"}) { id } }'
)
_DEACTIVATE_DOCTOR = "mutation($id: ID!) { deactivateDoctor(id: $id) { id } }"
_REVIEW = "mutation($id: ID!) { reviewDoctorLicense(id: $id, decision: VERIFIED) { id } }"
_UPDATE_INSTITUTION = (
    'mutation($id: ID!) { updateInstitution(id: $id, input: {region: "Yucatán"}) { id } }'
)
_DEACTIVATE_INSTITUTION = "mutation($id: ID!) { deactivateInstitution(id: $id) { id } }"


def _role_of(role: str) -> str | None:
    """The role an event names: none for an anonymous caller."""
    return None if role == "anonymous" else role


async def test_doctor_create_is_recorded_without_the_password(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    request_id, headers = request_headers(await as_role(stack, http, "admin"))
    institution = await create_institution(stack, http)
    query = """mutation($input: CreateDoctorInput!) { createDoctor(input: $input) { id } }"""
    values = {"firstName": "Eva", "lastName": "Auditada", "email": f"{request_id}@tests.predicthealth.dev",
              "password": TEST_PASSWORD, "institutionId": institution["id"],
              "medicalLicense": f"MED-{int(request_id[-8:], 16) % 10**9:09d}"}  # fmt: skip
    body = await gql(stack, http, "doctors", query, {"input": values}, headers)
    assert not body.get("errors"), body
    event = await event_of(stack, http, request_id, action="doctor.create")
    assert event["service"] == "doctors"
    assert event["outcome"] == "success"
    assert event["actorRole"] == "admin"
    assert event["actorUserId"]
    assert event["sessionId"]
    assert event["targetType"] == "doctor"
    assert event["targetIds"] == [body["data"]["createDoctor"]["id"]]
    assert "email" in event["fields"]
    assert "password" not in event["fields"]
    assert TEST_PASSWORD not in json.dumps(event)


@pytest.mark.parametrize(
    ("role", "query", "action", "outcome"),
    [
        ("admin", _UPDATE_DOCTOR, "doctor.update", "success"),
        ("admin", _REVIEW, "doctor.review_license", "success"),
        ("patient", _DEACTIVATE_DOCTOR, "doctor.deactivate", "denied"),
        ("analyst", _UPDATE_DOCTOR, "doctor.update", "denied"),
        ("anonymous", _REVIEW, "doctor.review_license", "denied"),
    ],
)
async def test_doctor_changes_and_refusals_are_recorded(  # noqa: PLR0917 - a role table
    stack: SubgraphStack, http: httpx.AsyncClient, role: str, query: str, action: str,
    outcome: str,
) -> None:  # fmt: skip
    doctor = await create_doctor(stack, http)
    request_id, headers = request_headers(await as_role(stack, http, role))
    body = await gql(stack, http, "doctors", query, {"id": doctor["id"]}, headers)
    assert (code_of(body) is None) == (outcome == "success"), body
    event = await event_of(stack, http, request_id, action=action)
    assert event["outcome"] == outcome
    assert event["actorRole"] == _role_of(role)
    assert bool(event["actorUserId"]) == (role != "anonymous")
    assert event["targetIds"] == [doctor["id"]]


async def test_a_missing_doctor_is_recorded_as_not_found(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    request_id, headers = request_headers(await as_role(stack, http, "admin"))
    body = await gql(stack, http, "doctors", _DEACTIVATE_DOCTOR, {"id": missing}, headers)
    assert code_of(body) == "NOT_FOUND"
    event = await event_of(stack, http, request_id, action="doctor.deactivate")
    assert (event["outcome"], event["targetIds"]) == ("not_found", [missing])


@pytest.mark.parametrize(
    ("role", "query", "action", "outcome"),
    [
        ("admin", _UPDATE_INSTITUTION, "institution.update", "success"),
        ("admin", _DEACTIVATE_INSTITUTION, "institution.deactivate", "success"),
        ("doctor", _UPDATE_INSTITUTION, "institution.update", "denied"),
        ("analyst", _DEACTIVATE_INSTITUTION, "institution.deactivate", "denied"),
        ("anonymous", _UPDATE_INSTITUTION, "institution.update", "denied"),
    ],
)
async def test_institution_changes_and_refusals_are_recorded(  # noqa: PLR0917
    stack: SubgraphStack, http: httpx.AsyncClient, role: str, query: str, action: str,
    outcome: str,
) -> None:  # fmt: skip
    institution = await create_institution(stack, http)
    request_id, headers = request_headers(await as_role(stack, http, role))
    body = await gql(stack, http, "institutions", query, {"id": institution["id"]}, headers)
    assert (code_of(body) is None) == (outcome == "success"), body
    event = await event_of(stack, http, request_id, action=action)
    assert event["service"] == "institutions"
    assert event["outcome"] == outcome
    assert event["actorRole"] == _role_of(role)
    assert event["targetType"] == "institution"
    assert event["targetIds"] == [institution["id"]]


async def test_institution_create_by_a_service_is_recorded(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    request_id, headers = request_headers(service(stack))
    query = (
        """mutation($input: CreateInstitutionInput!) { createInstitution(input: $input) { id } }"""
    )
    values = {"name": f"Clínica {request_id}", "institutionType": "HOSPITAL",
              "contactEmail": f"{request_id}@tests.predicthealth.dev", "password": TEST_PASSWORD,
              "licenseNumber": f"AUD-{int(request_id[-8:], 16) % 10**9:09d}", "region": "Jalisco"}  # fmt: skip
    body = await gql(stack, http, "institutions", query, {"input": values}, headers)
    assert not body.get("errors"), body
    event = await event_of(stack, http, request_id, action="institution.create")
    assert event["actorRole"] == "service"
    assert event["targetIds"] == [body["data"]["createInstitution"]["id"]]
    assert TEST_PASSWORD not in json.dumps(event)


@pytest.mark.parametrize(
    ("subgraph", "query", "values", "action"),
    [
        ("doctors", "mutation($v: CreateDoctorInput!) { createDoctor(input: $v) { id } }",
         {"firstName": "No", "lastName": "Body", "email": "refused-doc@tests.predicthealth.dev",
          "password": TEST_PASSWORD, "medicalLicense": "MED-000000001"}, "doctor.create"),
        ("institutions",
         "mutation($v: CreateInstitutionInput!) { createInstitution(input: $v) { id } }",
         {"name": "Nope", "institutionType": "HOSPITAL", "password": TEST_PASSWORD,
          "contactEmail": "refused-inst@tests.predicthealth.dev", "licenseNumber": "NOP-000001"},
         "institution.create"),
    ],
)  # fmt: skip
async def test_a_refused_create_is_recorded_under_its_action(  # noqa: PLR0917
    stack: SubgraphStack, http: httpx.AsyncClient, subgraph: str, query: str,
    values: dict[str, str], action: str,
) -> None:  # fmt: skip
    for role in ("patient", "anonymous"):
        request_id, headers = request_headers(await as_role(stack, http, role))
        body = await gql(stack, http, subgraph, query, {"v": values}, headers)
        assert code_of(body) in {"FORBIDDEN", "UNAUTHENTICATED"}
        event = await event_of(stack, http, request_id, action=action)
        assert event["outcome"] == "denied"
        assert event["actorRole"] == _role_of(role)
        assert "password" not in event["fields"]
        assert TEST_PASSWORD not in json.dumps(event)
