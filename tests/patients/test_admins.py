"""Admins: bootstrap, CRUD, institutions created through their subgraph, audit log queries."""

from __future__ import annotations

import uuid

import httpx
import pytest

from subgraphs.admins.bootstrap import bootstrap_admin
from subgraphs.kit.errors import Conflict
from tests.directory.factories import gql
from tests.patients.helpers import as_role, code_of, create_patient, wait_for_events
from tests.support.stack import SubgraphStack
from tests.support.tokens import TEST_PASSWORD, login

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_bootstrap_refuses_while_an_admin_exists(stack: SubgraphStack,
                                                       http: httpx.AsyncClient) -> None:  # fmt: skip
    email = f"boot-{uuid.uuid4().hex[:8]}@tests.predicthealth.dev"
    with pytest.raises(Conflict):
        await bootstrap_admin(stack.settings, email=email, password=TEST_PASSWORD)
    admin_id = await bootstrap_admin(stack.settings, email=email, password=TEST_PASSWORD,
                                     allow_existing=True)  # fmt: skip
    signed_in = await login(stack, http, email, TEST_PASSWORD)
    assert signed_in["user"]["role"] == "ADMIN"
    assert signed_in["user"]["profileId"] == str(admin_id)
    events = await wait_for_events(stack, http, {"action": "admin.bootstrap", "targetId": str(admin_id)},
                                   until=bool)  # fmt: skip
    assert events


async def test_admin_update_and_deactivate(stack: SubgraphStack, http: httpx.AsyncClient) -> None:
    admin = await as_role(stack, http, "admin")
    tag = uuid.uuid4().hex[:8]
    created = await gql(stack, http, "admins", """mutation($i: CreateAdminInput!) {
      createAdmin(input: $i) { id email } }""", {"i": {"firstName": "Grace", "lastName": f"H {tag}",
      "email": f"Grace.{tag}@Tests.PredictHealth.dev", "password": TEST_PASSWORD}}, admin)  # fmt: skip
    new = created["data"]["createAdmin"]
    assert new["email"] == f"grace.{tag}@tests.predicthealth.dev"
    dup = await gql(stack, http, "admins", """mutation($i: CreateAdminInput!) {
      createAdmin(input: $i) { id } }""", {"i": {"firstName": "G", "lastName": "H",
      "email": new["email"], "password": TEST_PASSWORD}}, admin)  # fmt: skip
    assert code_of(dup) == "CONFLICT"
    changed = await gql(stack, http, "admins", """mutation($id: ID!) { updateAdmin(id: $id,
      input: {department: "Security"}) { department } }""", {"id": new["id"]}, admin)  # fmt: skip
    assert changed["data"]["updateAdmin"]["department"] == "Security"
    off = await gql(stack, http, "admins", "mutation($id: ID!) { deactivateAdmin(id: $id) { isActive } }",
                    {"id": new["id"]}, admin)  # fmt: skip
    assert off["data"]["deactivateAdmin"]["isActive"] is False


async def test_register_institution_goes_through_institutions(stack: SubgraphStack,
                                                              http: httpx.AsyncClient) -> None:  # fmt: skip
    tag = uuid.uuid4().hex[:8]
    body = await gql(stack, http, "admins", """mutation($i: RegisterInstitutionInput!) {
      registerInstitution(input: $i) { id } }""", {"i": {"name": f"Clínica {tag}",
      "institutionType": "preventive_clinic", "contactEmail": f"c-{tag}@tests.predicthealth.dev",
      "password": TEST_PASSWORD, "licenseNumber": f"REG-{uuid.uuid4().int % 10**8:08d}"}},
      await as_role(stack, http, "admin"))  # fmt: skip
    assert not body.get("errors"), body
    iid = body["data"]["registerInstitution"]["id"]
    found = await gql(stack, http, "institutions", "query($id: ID!) { institution(id: $id) { name } }",
                      {"id": iid}, await as_role(stack, http, "admin"))  # fmt: skip
    assert found["data"]["institution"]["name"] == f"Clínica {tag}"


async def test_audit_query_filters_and_pages(stack: SubgraphStack, http: httpx.AsyncClient) -> None:
    doctor = await as_role(stack, http, "doctor")
    created = [await create_patient(stack, http, doctor) for _ in range(4)]
    await wait_for_events(stack, http, {"targetId": created[-1]["id"]}, until=bool)
    admin = await as_role(stack, http, "admin")
    query = """query($f: AuditEventFilter, $after: String) { auditEvents(filter: $f, first: 3,
      after: $after) { edges { node { seq action actorRole } } pageInfo { hasNextPage endCursor } } }"""
    seqs: list[int] = []
    after = None
    for _ in range(4):
        body = await gql(stack, http, "admins", query,
                         {"f": {"action": "patient.*", "actorRole": "doctor"}, "after": after}, admin)  # fmt: skip
        page = body["data"]["auditEvents"]
        for edge in page["edges"]:
            assert edge["node"]["action"].startswith("patient.")
            assert edge["node"]["actorRole"] == "doctor"
        seqs += [e["node"]["seq"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seqs) >= 4
    assert seqs == sorted(seqs, reverse=True)
    assert len(seqs) == len(set(seqs))
    window = await gql(stack, http, "admins", query, {"f": {"since": "2000-01-01T00:00:00Z",
                       "until": "2000-01-02T00:00:00Z"}}, admin)  # fmt: skip
    assert window["data"]["auditEvents"]["edges"] == []
