"""Doctors: create/update/deactivate/licence review per role, visibility, validation, conflicts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.directory.conftest import scalar
from tests.directory.factories import (
    code_of,
    create_doctor,
    create_institution,
    gql,
    headers_for,
    service_headers,
    unique,
)
from tests.support.stack import SubgraphStack
from tests.support.tokens import TEST_PASSWORD, auth_headers, login

pytestmark = pytest.mark.asyncio(loop_scope="session")

CREATE = """mutation($input: CreateDoctorInput!) {
  createDoctor(input: $input) { id institution { id } licenseStatus } }"""
READ = """query($id: ID!) { doctor(id: $id) { id firstName lastName specialty { name }
  email medicalLicense consultationFee } }"""
UPDATE = """mutation($id: ID!, $input: UpdateDoctorInput!) {
  updateDoctor(id: $id, input: $input) { id phone professionalStatus licenseStatus } }"""
REVIEW = """mutation($id: ID!, $d: LicenseDecision!) { reviewDoctorLicense(id: $id, decision: $d) {
  licenseStatus licenseReviewedBy licenseReviewedAt } }"""


def _input(**overrides: Any) -> dict[str, Any]:
    tag = unique()
    values = {
        "firstName": "José", "lastName": f"Núñez {tag}", "email": f"d-{tag}@tests.predicthealth.dev",
        "password": TEST_PASSWORD, "medicalLicense": f"MED-{int(tag, 16) % 10**9:09d}",
    }  # fmt: skip
    values.update(overrides)
    return values


@pytest.fixture(scope="module")
def home() -> dict[str, Any]:
    return {}


async def _home(stack: SubgraphStack, http: httpx.AsyncClient, cache: dict[str, Any]) -> str:
    """One institution for the whole module (logins cost a bcrypt hash each)."""
    if "id" not in cache:
        cache["id"] = (await create_institution(stack, http))["id"]
    institution_id: str = cache["id"]
    return institution_id


async def _shared_doctor(
    stack: SubgraphStack, http: httpx.AsyncClient, cache: dict[str, Any], specialty: str
) -> dict[str, Any]:
    """One doctor of the module's institution, shared by the read-mostly role tables."""
    if "doctor" not in cache:
        cache["doctor"] = await create_doctor(
            stack, http, institutionId=await _home(stack, http, cache), specialtyId=specialty
        )
    doctor: dict[str, Any] = cache["doctor"]
    return doctor


async def _as(
    stack: SubgraphStack, http: httpx.AsyncClient, role: str, *, institution: str, doctor: str
) -> dict[str, str]:
    """Headers for a role; `owner` is the doctor's institution and `self` the doctor."""
    if role == "owner":
        return await auth_headers(stack, http, role="institution", profile_id=institution)
    if role == "self":
        return await auth_headers(stack, http, role="doctor", profile_id=doctor)
    return await headers_for(stack, http, role)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "UNAUTHENTICATED"),
        ("patient", "FORBIDDEN"),
        ("doctor", "FORBIDDEN"),
        ("institution", None),  # creates for itself
        ("analyst", "FORBIDDEN"),
        ("admin", None),
    ],
)
async def test_create_per_role(  # noqa: PLR0917 - pytest passes fixtures positionally
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    db: AsyncEngine,
    home: dict[str, Any],
    role: str,
    expected: str | None,
) -> None:
    institution_id = await _home(stack, http, home)
    if role == "institution":
        headers = await auth_headers(stack, http, role="institution", profile_id=institution_id)
        values = _input()
    else:
        headers = await headers_for(stack, http, role)
        values = _input(institutionId=institution_id)
    body = await gql(stack, http, "doctors", CREATE, {"input": values}, headers)
    assert code_of(body) == expected, body
    logins = await scalar(db, "SELECT count(*) FROM auth.users WHERE email = :e", e=values["email"])
    assert logins == (1 if expected is None else 0)
    if expected is None:
        created = body["data"]["createDoctor"]
        assert created["institution"] == {"id": institution_id}
        assert created["licenseStatus"] == "PENDING"
        signed_in = await login(stack, http, values["email"], TEST_PASSWORD)
        assert signed_in["user"]["profileId"] == created["id"]


async def test_institution_cannot_create_for_another(
    stack: SubgraphStack, http: httpx.AsyncClient, home: dict[str, Any]
) -> None:
    other = await create_institution(stack, http)
    headers = await auth_headers(
        stack, http, role="institution", profile_id=await _home(stack, http, home)
    )
    body = await gql(stack, http, "doctors", CREATE,
                     {"input": _input(institutionId=other["id"])}, headers)  # fmt: skip
    assert code_of(body) == "FORBIDDEN"


@pytest.mark.parametrize(
    ("role", "private"),
    [
        ("anonymous", "UNAUTHENTICATED"),
        ("patient", "FORBIDDEN"),
        ("doctor", "FORBIDDEN"),  # another doctor
        ("self", None),
        ("institution", "FORBIDDEN"),  # another institution
        ("owner", None),
        ("analyst", "FORBIDDEN"),
        ("admin", None),
    ],
)
async def test_field_visibility_per_role(  # noqa: PLR0917 - pytest passes fixtures positionally
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    home: dict[str, Any],
    specialties: dict[str, str],
    role: str,
    private: str | None,
) -> None:
    institution_id = await _home(stack, http, home)
    target = await _shared_doctor(stack, http, home, specialties["Cardiology"])
    headers = await _as(stack, http, role, institution=institution_id, doctor=target["id"])
    body = await gql(stack, http, "doctors", READ, {"id": target["id"]}, headers)
    assert code_of(body) == private
    if private == "FORBIDDEN":
        node = body["data"]["doctor"]
        assert node["lastName"] == target["lastName"]
        assert node["specialty"] == {"name": "Cardiology"}
        assert node["email"] is None
        assert node["medicalLicense"] is None
        assert {e["path"][-1] for e in body["errors"]} == {
            "email", "medicalLicense", "consultationFee",
        }  # fmt: skip
    elif private is None:
        assert body["data"]["doctor"]["email"] == target["email"]
        assert body["data"]["doctor"]["consultationFee"] == "800.00"


@pytest.mark.parametrize(
    ("role", "profile_change", "status_change"),
    [
        ("anonymous", "UNAUTHENTICATED", "UNAUTHENTICATED"),
        ("patient", "FORBIDDEN", "FORBIDDEN"),
        ("doctor", "FORBIDDEN", "FORBIDDEN"),
        ("self", None, "FORBIDDEN"),
        ("institution", "FORBIDDEN", "FORBIDDEN"),
        ("owner", None, None),
        ("analyst", "FORBIDDEN", "FORBIDDEN"),
        ("admin", None, None),
    ],
)
async def test_update_per_role(  # noqa: PLR0917 - pytest passes fixtures positionally
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    home: dict[str, Any],
    specialties: dict[str, str],
    role: str,
    profile_change: str | None,
    status_change: str | None,
) -> None:
    institution_id = await _home(stack, http, home)
    target = await _shared_doctor(stack, http, home, specialties["Cardiology"])
    headers = await _as(stack, http, role, institution=institution_id, doctor=target["id"])
    phone = await gql(stack, http, "doctors", UPDATE,
                      {"id": target["id"], "input": {"phone": "+52 33 9999 0000"}}, headers)  # fmt: skip
    assert code_of(phone) == profile_change
    status = await gql(stack, http, "doctors", UPDATE,
                       {"id": target["id"], "input": {"professionalStatus": "SUSPENDED"}}, headers)  # fmt: skip
    assert code_of(status) == status_change
    if status_change is None:
        assert status["data"]["updateDoctor"]["professionalStatus"] == "SUSPENDED"


@pytest.mark.parametrize(
    ("role", "expected"),
    [("self", "FORBIDDEN"), ("institution", "FORBIDDEN"), ("owner", None), ("admin", None)],
)
async def test_licence_review_records_who_and_when(
    stack: SubgraphStack, http: httpx.AsyncClient, home: dict[str, Any], role: str,
    expected: str | None,
) -> None:  # fmt: skip
    institution_id = await _home(stack, http, home)
    target = (
        await create_doctor(stack, http, institutionId=institution_id)
        if expected is None  # a review succeeds once: a fresh pending licence
        else await _shared_doctor(stack, http, home, "")
    )
    headers = await _as(stack, http, role, institution=institution_id, doctor=target["id"])
    body = await gql(stack, http, "doctors", REVIEW, {"id": target["id"], "d": "VERIFIED"}, headers)
    assert code_of(body) == expected
    if expected is None:
        review = body["data"]["reviewDoctorLicense"]
        assert review["licenseStatus"] == "VERIFIED"
        assert review["licenseReviewedBy"]
        assert review["licenseReviewedAt"]
        again = await gql(stack, http, "doctors", REVIEW,
                          {"id": target["id"], "d": "REJECTED"}, headers)  # fmt: skip
        assert code_of(again) == "CONFLICT"


async def test_new_licence_number_goes_back_to_pending(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    target = await create_doctor(stack, http)
    admin = await headers_for(stack, http, "admin")
    await gql(stack, http, "doctors", REVIEW, {"id": target["id"], "d": "VERIFIED"}, admin)
    body = await gql(stack, http, "doctors", UPDATE,
                     {"id": target["id"], "input": {"medicalLicense": f"ced {unique()[:0]}12345678"}},
                     admin)  # fmt: skip
    assert code_of(body) in (None, "CONFLICT")  # another test may hold CED-12345678
    if code_of(body) is None:
        assert body["data"]["updateDoctor"]["licenseStatus"] == "PENDING"


async def test_deactivate_per_role(
    stack: SubgraphStack, http: httpx.AsyncClient, home: dict[str, Any]
) -> None:
    institution_id = await _home(stack, http, home)
    target = await _shared_doctor(stack, http, home, "")
    deactivate = "mutation($id: ID!) { deactivateDoctor(id: $id) { isActive } }"
    self_headers = await _as(stack, http, "self", institution=institution_id, doctor=target["id"])
    refused = await gql(stack, http, "doctors", deactivate, {"id": target["id"]}, self_headers)
    assert code_of(refused) == "FORBIDDEN"
    owner = await _as(stack, http, "owner", institution=institution_id, doctor=target["id"])
    body = await gql(stack, http, "doctors", deactivate, {"id": target["id"]}, owner)
    assert body["data"]["deactivateDoctor"]["isActive"] is False
    activate = "mutation($id: ID!) { activateDoctor(id: $id) { isActive } }"
    body = await gql(stack, http, "doctors", activate, {"id": target["id"]}, owner)
    assert body["data"]["activateDoctor"]["isActive"] is True


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"medicalLicense": "12345"}, "medicalLicense"),
        ({"email": "nope"}, "email"),
        ({"firstName": ""}, "firstName"),
        ({"yearsExperience": -1}, "yearsExperience"),
        ({"consultationFee": "-5"}, "consultationFee"),
        ({"specialtyId": "00000000-0000-4000-8000-000000000000"}, "specialtyId"),
        ({"institutionId": "00000000-0000-4000-8000-000000000000"}, "institutionId"),
        ({"specialtyId": "x"}, "specialtyId"),
        ({"password": "short"}, "password"),
    ],
)
async def test_validation_names_the_field(
    stack: SubgraphStack, http: httpx.AsyncClient, db: AsyncEngine, overrides: dict[str, Any],
    field: str,
) -> None:  # fmt: skip
    values = _input(**overrides)
    body = await gql(stack, http, "doctors", CREATE, {"input": values}, service_headers(stack))
    assert code_of(body) == "BAD_USER_INPUT", body
    assert body["errors"][0]["extensions"]["field"] == field
    assert await scalar(db, "SELECT count(*) FROM doctors.doctors WHERE email = :e",
                        e=values["email"]) == 0  # fmt: skip
    assert (
        await scalar(db, "SELECT count(*) FROM auth.users WHERE email = :e", e=values["email"]) == 0
    )


async def test_licence_is_normalized_and_unique(
    stack: SubgraphStack, http: httpx.AsyncClient, db: AsyncEngine
) -> None:
    number = f"{int(unique(), 16) % 10**8:08d}"
    created = await create_doctor(stack, http, medicalLicense=f"  med_{number} ")
    assert created["medicalLicense"] == f"MED-{number}"
    values = _input(medicalLicense=f"Med {number}")
    body = await gql(stack, http, "doctors", CREATE, {"input": values}, service_headers(stack))
    assert code_of(body) == "CONFLICT"
    assert body["errors"][0]["extensions"]["field"] == "medicalLicense"
    assert (
        await scalar(db, "SELECT count(*) FROM auth.users WHERE email = :e", e=values["email"]) == 0
    )


async def test_duplicate_email_is_a_conflict(stack: SubgraphStack, http: httpx.AsyncClient) -> None:
    created = await create_doctor(stack, http)
    body = await gql(stack, http, "doctors", CREATE,
                     {"input": _input(email=created["email"].upper())}, service_headers(stack))  # fmt: skip
    assert code_of(body) == "CONFLICT"
    assert body["errors"][0]["extensions"]["field"] == "email"
