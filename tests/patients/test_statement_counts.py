"""N+1 guard: SQL statements per GraphQL request stay the same when the lists in it grow.

Each query runs twice, with small and with large lists, and the statements every subgraph
executed while serving it must be equal (and bounded): a resolver querying per parent row
would add statements with every row. `bench/nplus1.py` reports the same counts at scale.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.directory.factories import relays_paused
from tests.patients.helpers import as_role, patients_gql
from tests.support.stack import SubgraphStack, serve_router
from tests.support.tokens import graphql

pytestmark = pytest.mark.asyncio(loop_scope="session")

AUDITED = ("patients", "doctors", "institutions")


@pytest.fixture(scope="module")
def router_url(stack: SubgraphStack) -> Iterator[str]:
    with serve_router(stack) as url:
        yield url


async def _ids(db: AsyncEngine, sql: str) -> list[str]:
    async with db.connect() as conn:
        return [str(v) for v in (await conn.scalars(text(sql))).all()]


async def _seeded_institutions(db: AsyncEngine) -> list[str]:
    """The seeded institutions (tests add others, some without doctors or patients)."""
    return await _ids(db, "SELECT id FROM institutions.institutions "
                          "WHERE license_number LIKE 'INST-%' ORDER BY 1")  # fmt: skip


async def _counted(
    stack: SubgraphStack, send: Any, query: str, variables: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, int]]:
    async with relays_paused(stack, *AUDITED):
        with stack.statements.counting() as counts:
            body: dict[str, Any] = await send(query, variables)
    assert not body.get("errors"), body
    return body, dict(counts)


INSTITUTION_TREE = """query($ids: [ID!], $doctors: Int!, $only: DoctorFilterInput, $patients: Int!) {
  institutions(first: 10, filter: {ids: $ids}) { edges { node { name
    doctors(first: $doctors, filter: $only) { edges { node { lastName specialty { name }
      patientCount
      patients(first: $patients) { edges { node { id lastName emergencyContacts { name } } } }
    } } } } } } }"""


async def test_institution_doctors_patients_through_the_router(
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    router_url: str,
    db: AsyncEngine,
    demo: dict[str, str],
) -> None:
    """institution → doctors → patients (three subgraphs): 1-1-1 and 4-10-10 rows cost the same.
    The small case is the demo doctor (a specialty, patients): every relation non-empty."""
    admin = await as_role(stack, http, "admin")
    institutions = await _seeded_institutions(db)

    async def send(query: str, variables: dict[str, Any]) -> Any:
        return await graphql(http, router_url, query, variables, admin)

    small, few = await _counted(stack, send, INSTITUTION_TREE, {
        "ids": [demo["institution"]], "doctors": 1, "only": {"ids": [demo["doctor"]]},
        "patients": 1})  # fmt: skip
    large, many = await _counted(stack, send, INSTITUTION_TREE,
                                 {"ids": institutions, "doctors": 10, "patients": 10})  # fmt: skip

    def patients(body: dict[str, Any]) -> int:
        return sum(len(d["node"]["patients"]["edges"])
                   for i in body["data"]["institutions"]["edges"]
                   for d in i["node"]["doctors"]["edges"])  # fmt: skip

    assert patients(small) == 1
    assert patients(large) >= 40  # the lists really grew
    assert few == many
    # institutions: page + count; doctors: per-institution pages + specialties; patients:
    # pages + counts + contacts + the read record.
    assert sum(many.values()) <= 10, many


async def test_patients_with_their_doctor_and_institution_through_the_router(
    stack: SubgraphStack, http: httpx.AsyncClient, router_url: str
) -> None:
    """A patient list joined to two other subgraphs: 2 rows or 100, same statements."""
    admin = await as_role(stack, http, "admin")
    query = """query($n: Int!) { patients(first: $n) { edges { node { lastName
      doctor { lastName specialty { name } institution { name } }
      institution { name region } } } } }"""

    async def send(q: str, variables: dict[str, Any]) -> Any:
        return await graphql(http, router_url, q, variables, admin)

    _, few = await _counted(stack, send, query, {"n": 2})
    large, many = await _counted(stack, send, query, {"n": 100})
    assert len(large["data"]["patients"]["edges"]) == 100
    assert few == many
    assert sum(many.values()) <= 8, many


async def test_patient_entities_are_one_statement_at_any_size(
    stack: SubgraphStack, http: httpx.AsyncClient, db: AsyncEngine
) -> None:
    """The router's `_entities` path: 5 or 100 patient keys, one SELECT (+ the read record)."""
    admin = await as_role(stack, http, "admin")
    ids = await _ids(db, "SELECT id FROM patients.patients ORDER BY id LIMIT 100")
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Patient {
      id lastName age validationStatus } } }"""

    async def send(q: str, variables: dict[str, Any]) -> Any:
        return await patients_gql(stack, http, q, variables, admin)

    def reps(n: int) -> dict[str, Any]:
        return {"r": [{"__typename": "Patient", "id": i} for i in ids[:n]]}

    _, few = await _counted(stack, send, query, reps(5))
    large, many = await _counted(stack, send, query, reps(100))
    assert [e["id"] for e in large["data"]["_entities"]] == ids
    assert few == many
    assert many.get("patients", 0) <= 2, many


async def test_institution_patients_are_batched(
    stack: SubgraphStack, http: httpx.AsyncClient, db: AsyncEngine, demo: dict[str, str]
) -> None:
    """`Institution.patients` + `patientCount` for 1 or 4 institutions, 2 or 20 patients each."""
    admin = await as_role(stack, http, "admin")
    institutions = await _seeded_institutions(db)
    query = """query($r: [_Any!]!, $k: Int!) { _entities(representations: $r) {
      ... on Institution { patientCount patients(first: $k) { edges { node { id
        emergencyContacts { name } } } } } } }"""

    async def send(q: str, variables: dict[str, Any]) -> Any:
        return await patients_gql(stack, http, q, variables, admin)

    def reps(ids: list[str], k: int) -> dict[str, Any]:
        return {"r": [{"__typename": "Institution", "id": i} for i in ids], "k": k}

    _, few = await _counted(stack, send, query, reps([demo["institution"]], 2))
    large, many = await _counted(stack, send, query, reps(institutions, 20))
    assert sum(len(e["patients"]["edges"]) for e in large["data"]["_entities"]) >= 40
    assert few == many
    assert many.get("patients", 0) <= 5, many  # pages + counts + contacts + read record
