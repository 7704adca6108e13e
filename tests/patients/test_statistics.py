"""Statistics values (own scope, analyst suppression, system figures) and N+1-free batching."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.patients.ages import today_in
from tests.directory.factories import gql
from tests.patients.conftest import scalar
from tests.patients.helpers import as_role, create_patient, new_doctor, patients_gql, service
from tests.support.stack import SubgraphStack

pytestmark = pytest.mark.asyncio(loop_scope="session")

STATS = """query($f: PatientFilterInput) { patientStatistics(filter: $f) { total newLast30Days
  byGender { key count suppressed } byValidationStatus { key count suppressed }
  byAgeBand { key count suppressed } byDoctor { key count } } }"""


def _counts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {r["key"]: r["count"] for r in rows}


async def _population(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> tuple[dict[str, Any], dict[str, str]]:
    """A fresh doctor at a fresh institution with 8 patients of known gender and age."""
    doctor, headers = await new_doctor(stack, http)
    today = today_in(stack.settings.timezone)
    people = [("FEMALE", 10), ("FEMALE", 20), ("FEMALE", 25), ("FEMALE", 40), ("FEMALE", 50),
              ("MALE", 35), ("MALE", 80), ("OTHER", 65)]  # fmt: skip
    for gender, age in people:
        born = (
            date(today.year - age - 1, 12, 31) if today.month < 12 else date(today.year - age, 1, 1)
        )
        await create_patient(stack, http, headers, gender=gender, dateOfBirth=born.isoformat())
    return doctor, headers


async def test_statistics_values(stack: SubgraphStack, http: httpx.AsyncClient) -> None:
    doctor, headers = await _population(stack, http)
    body = await patients_gql(stack, http, STATS, None, headers)
    stats = body["data"]["patientStatistics"]
    assert stats["total"] == 8
    assert stats["newLast30Days"] == 8
    assert _counts(stats["byGender"]) == {
        "male": 2,
        "female": 5,
        "other": 1,
        "prefer_not_to_say": 0,
    }
    assert _counts(stats["byValidationStatus"])["pending"] == 8
    assert _counts(stats["byAgeBand"]) == {"0-17": 1, "18-29": 2, "30-44": 2, "45-59": 1,
                                           "60-74": 1, "75+": 1}  # fmt: skip
    assert _counts(stats["byDoctor"]) == {doctor["id"]: 8}
    # An analyst sees the same population aggregated, small groups suppressed, no doctor ids.
    analyst = await as_role(stack, http, "analyst")
    where = {"institutionIds": [doctor["institution"]["id"]]}
    body = await patients_gql(stack, http, STATS, {"f": where}, analyst)
    seen = body["data"]["patientStatistics"]
    assert seen["total"] == 8
    assert seen["byDoctor"] is None
    gender = {r["key"]: r for r in seen["byGender"]}
    assert gender["female"] == {"key": "female", "count": 5, "suppressed": False}
    assert gender["male"] == {"key": "male", "count": None, "suppressed": True}
    assert gender["prefer_not_to_say"]["count"] == 0
    assert all(
        r["suppressed"] for r in seen["byAgeBand"] if r["key"] != "0-17" and r["count"] is None
    )
    refused = await patients_gql(stack, http, STATS, {"f": {"doctorIds": [doctor["id"]]}}, analyst)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_admin_statistics_match_the_database(stack: SubgraphStack, http: httpx.AsyncClient,
                                                  db: AsyncEngine) -> None:  # fmt: skip
    body = await patients_gql(stack, http, STATS, None, service(stack))
    total = await scalar(db, "SELECT count(*) FROM patients.patients")
    females = await scalar(db, "SELECT count(*) FROM patients.patients WHERE gender = 'female'")
    stats = body["data"]["patientStatistics"]
    assert stats["total"] == total
    assert _counts(stats["byGender"])["female"] == females
    assert sum(_counts(stats["byAgeBand"]).values()) == total


async def test_system_statistics(
    stack: SubgraphStack, http: httpx.AsyncClient, db: AsyncEngine
) -> None:
    query = """{ systemStatistics { usersByRole { key count suppressed } patients { key count }
      patientsByGender { key count suppressed } sessions { key count } unavailable } }"""
    admin = await gql(stack, http, "admins", query, None, await as_role(stack, http, "admin"))
    figures = admin["data"]["systemStatistics"]
    assert figures["unavailable"] == []
    roles = _counts(figures["usersByRole"])
    # Users are auth's (`userCounts`): one per profile with a login, whatever the profile tables
    # hold besides (other tests insert profiles without logins).
    users = "SELECT count(DISTINCT profile_id) FROM auth.users WHERE role = :r"
    for role in ("patient", "doctor", "institution", "admin"):
        assert roles[role] == await scalar(db, users, r=role)
    assert roles["analyst"] == await scalar(
        db, "SELECT count(*) FROM auth.users WHERE role = 'analyst'"
    )
    assert "locked_accounts" in _counts(figures["sessions"])
    analyst = await gql(stack, http, "admins", query, None, await as_role(stack, http, "analyst"))
    seen = analyst["data"]["systemStatistics"]
    assert "locked_accounts" not in _counts(seen["sessions"])
    for row in seen["usersByRole"] + seen["patientsByGender"]:
        assert row["suppressed"] == (row["count"] is None)
        assert row["count"] is None or row["count"] == 0 or row["count"] >= 5


async def test_doctor_patients_are_batched(stack: SubgraphStack, http: httpx.AsyncClient,
                                           db: AsyncEngine) -> None:  # fmt: skip
    """N doctors' patients, counts and contacts through `_entities`: a fixed number of statements."""
    # Doctors with patients: with none, a request reads no patient and skips the contacts and
    # audit statements, which would make the two counts differ for another reason.
    sql = (
        "SELECT doctor_id FROM patients.patients WHERE doctor_id IS NOT NULL "
        "GROUP BY doctor_id ORDER BY doctor_id LIMIT 10"
    )
    ids = [str(i) for i in await _all(db, sql)]
    assert len(ids) == 10
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Doctor { patientCount
      patients(first: 5) { edges { node { id age emergencyContacts { name } } } } } } }"""
    admin = await as_role(stack, http, "admin")

    async def statements(n: int) -> int:
        reps = [{"__typename": "Doctor", "id": i} for i in ids[:n]]
        with stack.statements.counting() as counts:
            body = await patients_gql(stack, http, query, {"r": reps}, admin)
        assert not body.get("errors"), body
        return counts.get("patients", 0)

    # The outbox relay shares the engine: pause it so only this request's statements count.
    relay = stack.apps["patients"].state.audit.relay
    await asyncio.to_thread(stack.servers.run, relay.stop())
    try:
        few, many = await statements(2), await statements(10)
    finally:
        stack.servers.loop.call_soon_threadsafe(relay.start)
    assert few == many
    assert many <= 6  # page + count + contacts + the audit record


async def _all(db: AsyncEngine, sql: str) -> list[Any]:
    from sqlalchemy import text

    async with db.connect() as conn:
        return list((await conn.scalars(text(sql))).all())
