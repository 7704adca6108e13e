"""Institutions: create/read/update/deactivate/delete per role, validation, conflicts, logins."""

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

CREATE = """mutation($input: CreateInstitutionInput!) { createInstitution(input: $input) { id } }"""
READ = """query($id: ID!) { institution(id: $id) { id name institutionType region isActive
  contactEmail phone licenseNumber } }"""
UPDATE = """mutation($id: ID!, $input: UpdateInstitutionInput!) {
  updateInstitution(id: $id, input: $input) { id name phone isVerified } }"""


@pytest.fixture(scope="module")
def shared() -> dict[str, Any]:
    return {}


async def _target(stack: SubgraphStack, http: httpx.AsyncClient, cache: dict[str, Any]) -> Any:
    """One institution shared by the role tables (each login costs a bcrypt hash)."""
    if "target" not in cache:
        cache["target"] = await create_institution(stack, http)
    return cache["target"]


def _input(**overrides: Any) -> dict[str, Any]:
    tag = unique()
    values = {
        "name": f"Clínica {tag}", "institutionType": "PREVENTIVE_CLINIC",
        "contactEmail": f"c-{tag}@tests.predicthealth.dev", "password": TEST_PASSWORD,
        "licenseNumber": f"CLI-{int(tag, 16) % 10**8:08d}",
    }  # fmt: skip
    values.update(overrides)
    return values


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "UNAUTHENTICATED"),
        ("patient", "FORBIDDEN"),
        ("doctor", "FORBIDDEN"),
        ("institution", "FORBIDDEN"),
        ("analyst", "FORBIDDEN"),
        ("admin", None),
    ],
)
async def test_create_per_role(
    stack: SubgraphStack, http: httpx.AsyncClient, db: AsyncEngine, role: str, expected: str | None
) -> None:
    values = _input()
    headers = await headers_for(stack, http, role)
    body = await gql(stack, http, "institutions", CREATE, {"input": values}, headers)
    assert code_of(body) == expected
    logins = await scalar(
        db, "SELECT count(*) FROM auth.users WHERE email = :e", e=values["contactEmail"]
    )
    assert logins == (1 if expected is None else 0)


async def test_created_institution_can_sign_in_as_itself(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    created = await create_institution(stack, http, licenseNumber="inst 4455667")
    assert created["licenseNumber"] == "INST-4455667"  # normalized
    signed_in = await login(stack, http, created["contactEmail"], TEST_PASSWORD)
    assert signed_in["user"]["role"] == "INSTITUTION"
    assert signed_in["user"]["profileId"] == created["id"]


#: Who sees the contact/business fields of an institution: the institution itself and admins.
@pytest.mark.parametrize(
    ("role", "directory", "private"),
    [
        ("anonymous", "UNAUTHENTICATED", "UNAUTHENTICATED"),
        ("patient", None, "FORBIDDEN"),
        ("doctor", None, "FORBIDDEN"),
        ("institution", None, "FORBIDDEN"),  # another institution
        ("owner", None, None),
        ("analyst", None, "FORBIDDEN"),
        ("admin", None, None),
    ],
)
async def test_field_visibility_per_role(  # noqa: PLR0917 - pytest passes fixtures positionally
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    shared: dict[str, Any],
    role: str,
    directory: str | None,
    private: str | None,
) -> None:
    target = await _target(stack, http, shared)
    if role == "owner":
        headers = await auth_headers(stack, http, role="institution", profile_id=target["id"])
    else:
        headers = await headers_for(stack, http, role)
    public = await gql(stack, http, "institutions",
                       "query($id: ID!) { institution(id: $id) { name region } }",
                       {"id": target["id"]}, headers)  # fmt: skip
    assert code_of(public) == directory
    if directory is None:
        assert public["data"]["institution"]["name"] == target["name"]
    body = await gql(stack, http, "institutions", READ, {"id": target["id"]}, headers)
    assert code_of(body) == private
    if private == "FORBIDDEN":
        # The directory part answers; every private field is null with its own error.
        node = body["data"]["institution"]
        assert node["name"] == target["name"]
        assert node["contactEmail"] is None
        assert node["licenseNumber"] is None
        assert {e["path"][-1] for e in body["errors"]} == {"contactEmail", "phone", "licenseNumber"}
    elif private is None:
        assert body["data"]["institution"]["contactEmail"] == target["contactEmail"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "UNAUTHENTICATED"),
        ("patient", "FORBIDDEN"),
        ("doctor", "FORBIDDEN"),
        ("institution", "FORBIDDEN"),
        ("owner", None),
        ("analyst", "FORBIDDEN"),
        ("admin", None),
    ],
)
async def test_update_contact_details_per_role(
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    shared: dict[str, Any],
    role: str,
    expected: str | None,
) -> None:
    target = await _target(stack, http, shared)
    if role == "owner":
        headers = await auth_headers(stack, http, role="institution", profile_id=target["id"])
    else:
        headers = await headers_for(stack, http, role)
    body = await gql(stack, http, "institutions", UPDATE,
                     {"id": target["id"], "input": {"phone": "+52 81 5555 0000"}}, headers)  # fmt: skip
    assert code_of(body) == expected
    if expected is None:
        assert body["data"]["updateInstitution"]["phone"] == "+52 81 5555 0000"


async def test_only_admins_verify(
    stack: SubgraphStack, http: httpx.AsyncClient, shared: dict[str, Any]
) -> None:
    target = await _target(stack, http, shared)
    owner = await auth_headers(stack, http, role="institution", profile_id=target["id"])
    variables = {"id": target["id"], "input": {"isVerified": True}}
    refused = await gql(stack, http, "institutions", UPDATE, variables, owner)
    assert code_of(refused) == "FORBIDDEN"
    admin = await headers_for(stack, http, "admin")
    body = await gql(stack, http, "institutions", UPDATE, variables, admin)
    assert body["data"]["updateInstitution"]["isVerified"] is True


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"contactEmail": "not-an-email"}, "contactEmail"),
        ({"licenseNumber": "12-AB"}, "licenseNumber"),
        ({"name": " "}, "name"),
        ({"website": "ftp://x"}, "website"),
        ({"phone": "call me"}, "phone"),
        ({"password": "short"}, "password"),
    ],
)
async def test_validation_names_the_field(
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    db: AsyncEngine,
    overrides: dict[str, str],
    field: str,
) -> None:
    values = _input(**overrides)
    body = await gql(stack, http, "institutions", CREATE, {"input": values},
                     service_headers(stack))  # fmt: skip
    assert code_of(body) == "BAD_USER_INPUT", body
    assert body["errors"][0]["extensions"]["field"] == field
    assert await scalar(db, "SELECT count(*) FROM institutions.institutions WHERE name = :n",
                        n=values["name"]) == 0  # fmt: skip


@pytest.mark.parametrize("field", ["contactEmail", "licenseNumber"])
async def test_duplicates_are_conflicts_and_leave_no_login(
    stack: SubgraphStack, http: httpx.AsyncClient, db: AsyncEngine, field: str
) -> None:
    first = await create_institution(stack, http)
    values = _input(**{field: first[field].upper() if field == "contactEmail" else first[field]})
    body = await gql(stack, http, "institutions", CREATE, {"input": values},
                     service_headers(stack))  # fmt: skip
    assert code_of(body) == "CONFLICT"
    assert body["errors"][0]["extensions"]["field"] == field
    if field == "licenseNumber":
        email = values["contactEmail"]
        assert await scalar(db, "SELECT count(*) FROM auth.users WHERE email = :e", e=email) == 0


async def test_deactivate_refuses_while_doctors_are_attached(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    target = await create_institution(stack, http)
    await create_doctor(stack, http, institutionId=target["id"])
    admin = await headers_for(stack, http, "admin")
    deactivate = "mutation($id: ID!, $f: Boolean!) { deactivateInstitution(id: $id, force: $f) { isActive } }"
    refused = await gql(stack, http, "institutions", deactivate,
                        {"id": target["id"], "f": False}, admin)  # fmt: skip
    assert code_of(refused) == "CONFLICT"
    assert refused["errors"][0]["extensions"]["attached"] == {"doctors": 1}
    forced = await gql(stack, http, "institutions", deactivate,
                       {"id": target["id"], "f": True}, admin)  # fmt: skip
    assert forced["data"]["deactivateInstitution"]["isActive"] is False


async def test_delete_removes_profile_and_login(
    stack: SubgraphStack, http: httpx.AsyncClient, db: AsyncEngine
) -> None:
    target = await create_institution(stack, http)
    admin = await headers_for(stack, http, "admin")
    institution = await headers_for(stack, http, "institution")
    delete = "mutation($id: ID!) { deleteInstitution(id: $id) }"
    refused = await gql(stack, http, "institutions", delete, {"id": target["id"]}, institution)
    assert code_of(refused) == "FORBIDDEN"
    body = await gql(stack, http, "institutions", delete, {"id": target["id"]}, admin)
    assert body["data"]["deleteInstitution"] == target["id"]
    assert await scalar(db, "SELECT count(*) FROM auth.users WHERE profile_id = :p",
                        p=target["id"]) == 0  # fmt: skip
    gone = await gql(stack, http, "institutions", READ, {"id": target["id"]}, admin)
    assert gone["data"]["institution"] is None


async def test_malformed_id_is_bad_input(stack: SubgraphStack, http: httpx.AsyncClient) -> None:
    admin = await headers_for(stack, http, "admin")
    body = await gql(stack, http, "institutions", UPDATE,
                     {"id": "nope", "input": {"name": "X Y"}}, admin)  # fmt: skip
    assert code_of(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "id"
