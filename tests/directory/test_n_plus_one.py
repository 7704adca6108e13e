"""Dataloaders keep SQL constant: 500 doctors across 50 institutions cost a fixed few statements."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.directory.factories import code_of, gql, headers_for
from tests.support.stack import SubgraphStack

pytestmark = pytest.mark.asyncio(loop_scope="session")

INSTITUTIONS, PER_INSTITUTION = 50, 10


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def crowd(db: AsyncEngine, specialties: dict[str, str]) -> dict[str, list[str]]:
    """50 institutions with 10 doctors each (500), inserted in bulk."""
    tag = uuid.uuid4().hex[:8]
    spec_ids = list(specialties.values())
    institutions = [str(uuid.uuid4()) for _ in range(INSTITUTIONS)]
    doctors: list[dict[str, Any]] = []
    for i, institution in enumerate(institutions):
        for j in range(PER_INSTITUTION):
            n = i * PER_INSTITUTION + j
            doctors.append({
                "id": str(uuid.uuid4()), "inst": institution, "first": f"N{n}", "last": f"Crowd {tag}",
                "email": f"crowd-{n}-{tag}@n1.example.org", "licence": f"NPO-{uuid.uuid4().int % 10**10:010d}",
                "spec": spec_ids[n % len(spec_ids)], "second": spec_ids[(n + 7) % len(spec_ids)],
            })  # fmt: skip
    async with db.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO institutions.institutions (id, name, institution_type, contact_email, "
                "license_number, region) VALUES (:id, :name, 'hospital', :email, :licence, :region)"
            ),
            [
                {"id": iid, "name": f"Crowd {i} {tag}", "email": f"crowd-{i}-{tag}@n1.example.org",
                 "licence": f"NPI-{uuid.uuid4().int % 10**10:010d}", "region": f"Crowd {tag}"}
                for i, iid in enumerate(institutions)
            ],
        )  # fmt: skip
        await conn.execute(
            text(
                "INSERT INTO doctors.doctors (id, institution_id, first_name, last_name, email, "
                "medical_license, specialty_id, secondary_specialty_id) VALUES (:id, :inst, :first, "
                ":last, :email, :licence, :spec, :second)"
            ),
            doctors,
        )
    return {"institutions": institutions, "doctors": [d["id"] for d in doctors]}


async def _count(
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    subgraph: str,
    query: str,
    variables: dict[str, Any],
) -> tuple[dict[str, Any], int]:
    headers = await headers_for(stack, http, "admin")  # sees private fields too
    with stack.statements.counting() as counts:
        body = await gql(stack, http, subgraph, query, variables, headers)
    assert code_of(body) is None, body
    return body, counts.get(subgraph, 0)


INSTITUTION_PAGES = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Institution {
  id doctorCount doctors(first: 10) { totalCount edges { node { id email
    specialty { name } secondarySpecialty { name } institution { id } } } } } } }"""


@pytest.mark.parametrize("size", [5, INSTITUTIONS])
async def test_institution_doctors_are_batched(
    stack: SubgraphStack, http: httpx.AsyncClient, crowd: dict[str, list[str]], size: int
) -> None:
    reps = [{"__typename": "Institution", "id": i} for i in crowd["institutions"][:size]]
    body, statements = await _count(stack, http, "doctors", INSTITUTION_PAGES, {"r": reps})
    entities = body["data"]["_entities"]
    assert sum(len(e["doctors"]["edges"]) for e in entities) == size * PER_INSTITUTION
    assert all(e["doctorCount"] == PER_INSTITUTION for e in entities)
    # pages (1, row_number per institution) + counts (1, shared by doctorCount and totalCount)
    # + specialties (1, main and secondary together): the same 3 for 50 rows or 500.
    assert statements == 3


async def test_doctor_search_with_relations_is_constant(
    stack: SubgraphStack, http: httpx.AsyncClient, crowd: dict[str, list[str]]
) -> None:
    query = """query($ids: [ID!]) { doctors(first: 100, filter: {institutionIds: $ids}) {
      totalCount edges { node { id phone specialty { name category } secondarySpecialty { name }
      institution { id } } } } }"""
    body, statements = await _count(stack, http, "doctors", query,
                                    {"ids": crowd["institutions"]})  # fmt: skip
    assert body["data"]["doctors"]["totalCount"] == INSTITUTIONS * PER_INSTITUTION
    assert len(body["data"]["doctors"]["edges"]) == 100
    assert statements == 3  # page + count + specialties


async def test_doctor_entities_are_one_statement(
    stack: SubgraphStack, http: httpx.AsyncClient, crowd: dict[str, list[str]]
) -> None:
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Doctor {
      id firstName medicalLicense specialty { name } } } }"""
    reps = [{"__typename": "Doctor", "id": d} for d in crowd["doctors"]]
    body, statements = await _count(stack, http, "doctors", query, {"r": reps})
    assert len(body["data"]["_entities"]) == 500
    assert statements == 2  # doctors by id + specialties by id


async def test_institution_entities_are_one_statement(
    stack: SubgraphStack, http: httpx.AsyncClient, crowd: dict[str, list[str]]
) -> None:
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Institution {
      id name region contactEmail } } }"""
    reps = [{"__typename": "Institution", "id": i} for i in crowd["institutions"]]
    body, statements = await _count(stack, http, "institutions", query, {"r": reps})
    assert [e["id"] for e in body["data"]["_entities"]] == crowd["institutions"]
    assert statements == 1
