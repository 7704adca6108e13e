"""The directory through the federation router: entities joined across subgraphs, visibility,
and constant SQL per subgraph for a 500-doctor query."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.directory.conftest import INSTITUTIONS, PER_INSTITUTION
from tests.directory.dataset import Dataset
from tests.directory.factories import create_institution, headers_for, relays_paused
from tests.support.stack import SubgraphStack, serve_router
from tests.support.tokens import TEST_PASSWORD, auth_headers, graphql

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture(scope="module")
def router_url(stack: SubgraphStack) -> Iterator[str]:
    with serve_router(stack) as url:
        yield url


DIRECTORY = """query($regions: [String!]) {
  institutions(filter: {regions: $regions}, sort: {field: CREATED_AT}) { totalCount edges { node {
    name doctorCount
    doctors(first: 5) { totalCount edges { node { firstName lastName specialty { name }
      institution { name region } } } } } } } }"""


async def test_institutions_with_their_doctors(
    stack: SubgraphStack, http: httpx.AsyncClient, router_url: str, dataset: Dataset
) -> None:
    headers = await headers_for(stack, http, "patient")
    body = await graphql(http, router_url, DIRECTORY, {"regions": list(dataset.regions)}, headers)
    assert not body.get("errors"), body
    nodes = [e["node"] for e in body["data"]["institutions"]["edges"]]
    assert [n["name"] for n in nodes][:3] == ["Clínica São Judas", "CLINICA SAO PEDRO",
                                              "Hospital Ñandú"]  # fmt: skip
    nandu = nodes[2]
    assert nandu["doctorCount"] == 3
    doctors = [e["node"] for e in nandu["doctors"]["edges"]]
    assert [d["lastName"] for d in doctors] == ["Gómez", "Núñez", "Peña"]
    assert doctors[1]["specialty"] == {"name": "Cardiology"}
    # Doctor.institution comes back through the institutions subgraph.
    assert {d["institution"]["name"] for d in doctors} == {"Hospital Ñandú"}
    assert doctors[0]["institution"]["region"] == dataset.region(1)


async def test_other_tenants_contact_fields_are_forbidden(
    stack: SubgraphStack, http: httpx.AsyncClient, router_url: str, dataset: Dataset
) -> None:
    query = """query($ids: [ID!]) { doctors(filter: {institutionIds: $ids}, first: 10) {
      edges { node { lastName email institution { name contactEmail } } } } }"""
    ids = [dataset.institutions["nandu"]]
    owner = await auth_headers(stack, http, role="institution", profile_id=ids[0])
    mine = await graphql(http, router_url, query, {"ids": ids}, owner)
    assert not mine.get("errors"), mine
    assert all(e["node"]["email"] for e in mine["data"]["doctors"]["edges"])
    stranger = await headers_for(stack, http, "institution")
    theirs = await graphql(http, router_url, query, {"ids": ids}, stranger)
    nodes = [e["node"] for e in theirs["data"]["doctors"]["edges"]]
    assert len(nodes) == 3
    assert all(n["email"] is None for n in nodes)
    assert all(n["institution"]["contactEmail"] is None for n in nodes)
    assert {e["extensions"]["code"] for e in theirs["errors"]} == {"FORBIDDEN"}


async def test_router_query_has_constant_sql_per_subgraph(
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    router_url: str,
    crowd: dict[str, list[str]],
) -> None:
    query = """query($ids: [ID!]) { doctors(first: 100, filter: {institutionIds: $ids}) {
      edges { node { lastName specialty { name } institution { name region
        doctorCount doctors(first: 10) { edges { node { firstName } } } } } } } }"""
    headers = await headers_for(stack, http, "admin")
    async with relays_paused(stack, "doctors", "institutions"):
        with stack.statements.counting() as counts:
            body: dict[str, Any] = await graphql(http, router_url, query,
                                                 {"ids": crowd["institutions"]}, headers)  # fmt: skip
    assert not body.get("errors"), body
    edges = body["data"]["doctors"]["edges"]
    assert len(edges) == 100
    assert all(len(e["node"]["institution"]["doctors"]["edges"]) == PER_INSTITUTION for e in edges)
    assert len({e["node"]["institution"]["name"] for e in edges}) <= INSTITUTIONS
    # doctors: page + specialties, then (second fetch) per-institution pages + counts;
    # institutions: one batched entity fetch.
    # (Other subgraphs may do their own background work meanwhile; only ours are counted.)
    assert (counts.get("doctors"), counts.get("institutions")) == (4, 1)


@pytest.mark.parametrize(("role", "expected"), [("patient", "FORBIDDEN"), ("owner", None)])
async def test_institution_creates_its_doctor_through_the_router(
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    router_url: str,
    role: str,
    expected: str | None,
) -> None:
    # Its own institution: the shared dataset's figures must not change under other tests.
    institution = await create_institution(stack, http)
    home = institution["id"]
    if role == "owner":
        headers = await auth_headers(stack, http, role="institution", profile_id=home)
    else:
        headers = await headers_for(stack, http, role)
    mutation = """mutation($input: CreateDoctorInput!) { createDoctor(input: $input) {
      id lastName medicalLicense institution { name } } }"""
    tag = uuid.uuid4().hex[:8]
    variables = {"input": {
        "firstName": "Rosa", "lastName": f"Router {tag}", "email": f"router-{tag}@tests.predicthealth.dev",
        "password": TEST_PASSWORD, "medicalLicense": f"rtr {uuid.uuid4().int % 10**8:08d}",
    }}  # fmt: skip
    body = await graphql(http, router_url, mutation, variables, headers)
    errors = body.get("errors") or []
    assert (errors[0]["extensions"]["code"] if errors else None) == expected, body
    if expected is None:
        created = body["data"]["createDoctor"]
        assert created["institution"] == {"name": institution["name"]}
        assert created["medicalLicense"].startswith("RTR-")
