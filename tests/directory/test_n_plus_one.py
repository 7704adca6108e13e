"""Dataloaders keep SQL constant: 500 doctors across 50 institutions cost a fixed few statements."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.directory.conftest import INSTITUTIONS, PER_INSTITUTION
from tests.directory.factories import code_of, gql, headers_for, relays_paused
from tests.support.stack import SubgraphStack

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _count(
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    subgraph: str,
    query: str,
    variables: dict[str, Any],
) -> tuple[dict[str, Any], int]:
    headers = await headers_for(stack, http, "admin")  # sees private fields too
    async with relays_paused(stack, subgraph):
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
