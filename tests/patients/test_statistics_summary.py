"""Statistics over everyone come from `patients.patient_counts` (migration `patients_0006`): it
equals a direct count over the table after every kind of write (in the writing transaction), the
figures built from it equal a direct count for any day and filter, and through the API every
viewer's figures equal a direct count over what they may see."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from subgraphs.patients import stats_repository
from subgraphs.patients.ages import latest_birth_date, today_in
from subgraphs.patients.search import PatientFilter, Viewer
from tests.patients.helpers import as_role, create_patient, new_doctor, patients_gql, service
from tests.support.stack import SubgraphStack
from tests.support.tokens import auth_headers

pytestmark = pytest.mark.asyncio(loop_scope="session")

#: Summary rows that differ from a GROUP BY over the table (zero rows may linger: not a difference).
MISMATCHES = """
SELECT count(*) FROM (
  SELECT gender, validation_status, is_active, date_trunc('month', date_of_birth)::date
         AS birth_month, count(*) AS n
  FROM patients.patients GROUP BY 1, 2, 3, 4) AS t
FULL JOIN (SELECT * FROM patients.patient_counts WHERE patients <> 0) AS c
  USING (gender, validation_status, is_active, birth_month)
WHERE t.n IS DISTINCT FROM c.patients"""

#: Ages by PostgreSQL's own age(): an oracle independent of `ages.py` and of the summary.
BAND = """CASE WHEN a <= 17 THEN '0-17' WHEN a <= 29 THEN '18-29' WHEN a <= 44 THEN '30-44'
  WHEN a <= 59 THEN '45-59' WHEN a <= 74 THEN '60-74' ELSE '75+' END"""
AGED = "(SELECT *, extract(year FROM age(:day, date_of_birth))::int AS a FROM patients.patients)"

# Births on either side of every age boundary of today, 29 February births, and a spread.
POPULATION = """
INSERT INTO patients.patients (id, first_name, last_name, email, date_of_birth, gender,
                               validation_status, is_active, doctor_id)
SELECT gen_random_uuid(), 'Suma', 'Resumen', 'summary-' || gen_random_uuid() || '@tests.dev', born,
       (ARRAY['male', 'female', 'other', 'prefer_not_to_say'])[1 + i % 4],
       (ARRAY['pending', 'doctor_validated', 'institution_validated', 'full_access'])[1 + i % 3],
       i % 5 <> 0, CASE WHEN i % 4 <> 0 THEN md5('doctor ' || i % 7)::uuid END
FROM (
  SELECT i, (CAST(:today AS date) - make_interval(years => 1 + i % 90))::date + (i % 5 - 2) AS born
    FROM generate_series(1, 450) AS i
  UNION ALL
  SELECT i, (date '1940-02-29' + make_interval(years => 4 * (i % 20)))::date
    FROM generate_series(451, 500) AS i
  UNION ALL
  SELECT i, (date '1930-01-01' + i * 23)::date FROM generate_series(501, 2000) AS i
) AS births"""


#: The same for patients per doctor.
DOCTOR_MISMATCHES = """
SELECT count(*) FROM (
  SELECT doctor_id, count(*) AS n FROM patients.patients WHERE doctor_id IS NOT NULL
  GROUP BY 1) AS t
FULL JOIN (SELECT * FROM patients.doctor_counts WHERE patients <> 0) AS c USING (doctor_id)
WHERE t.n IS DISTINCT FROM c.patients"""


async def _mismatches(conn: AsyncConnection) -> int:
    cells = int(await conn.scalar(text(MISMATCHES)) or 0)
    return cells + int(await conn.scalar(text(DOCTOR_MISMATCHES)) or 0)


@pytest_asyncio.fixture(loop_scope="session")
async def writing(db: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction rolled back at the end, holding 2,000 extra patients."""
    async with db.connect() as conn:
        await conn.begin()
        await conn.execute(text("SET LOCAL lock_timeout = '10s'"))
        await conn.execute(text(POPULATION), {"today": date.today()})
        try:
            yield conn
        finally:
            await conn.rollback()


async def test_the_summary_counts_every_kind_of_write(writing: AsyncConnection) -> None:
    conn = writing
    assert await _mismatches(conn) == 0  # after the multi-row INSERT
    changes = [
        "UPDATE patients.patients SET gender = 'other' "
        "WHERE last_name = 'Resumen' AND gender = 'male'",
        "UPDATE patients.patients SET validation_status = 'full_access', is_active = NOT is_active "
        "WHERE last_name = 'Resumen' AND date_of_birth < '1960-01-01'",
        # A birth date moving to another month, and one staying in its month.
        "UPDATE patients.patients SET date_of_birth = date_of_birth + 40 "
        "WHERE last_name = 'Resumen' AND validation_status = 'pending'",
        "UPDATE patients.patients SET date_of_birth = date_trunc('month', date_of_birth)::date "
        "WHERE last_name = 'Resumen' AND gender = 'female'",
        # Nothing counted changes: no summary row is touched.
        "UPDATE patients.patients SET phone = '+52 55 0000 0000' WHERE last_name = 'Resumen'",
        # Doctors change: to another, to none, from none.
        "UPDATE patients.patients SET doctor_id = md5('doctor 1')::uuid "
        "WHERE last_name = 'Resumen' AND gender = 'other'",
        "UPDATE patients.patients SET doctor_id = NULL "
        "WHERE last_name = 'Resumen' AND doctor_id = md5('doctor 2')::uuid",
        "UPDATE patients.patients SET doctor_id = md5('doctor 9')::uuid "
        "WHERE last_name = 'Resumen' AND doctor_id IS NULL AND is_active",
        "DELETE FROM patients.patients WHERE last_name = 'Resumen' AND is_active",
    ]
    for change in changes:
        await conn.execute(text(change))
        assert await _mismatches(conn) == 0, change
    # COPY, as the seeding and the benchmark data set load patients.
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    rows = [
        (uuid.uuid4(), "Copia", "Resumen", f"copy-{uuid.uuid4().hex}@tests.dev",
         date(1950 + i % 60, 1 + i % 12, 1 + i % 28), ("male", "female")[i % 2], "pending", True)
        for i in range(300)
    ]  # fmt: skip
    columns = ["id", "first_name", "last_name", "email", "date_of_birth", "gender",
               "validation_status", "is_active"]  # fmt: skip
    await driver.copy_records_to_table(
        "patients", records=rows, columns=columns, schema_name="patients"
    )
    assert await _mismatches(conn) == 0
    await conn.execute(text("TRUNCATE patients.patients CASCADE"))
    assert await conn.scalar(text("SELECT count(*) FROM patients.patient_counts")) == 0
    assert await conn.scalar(text("SELECT count(*) FROM patients.doctor_counts")) == 0


async def test_per_doctor_figures_from_the_summary_equal_a_direct_count(
    writing: AsyncConnection,
) -> None:
    admin, everyone = Viewer("admin", None), PatientFilter()
    session = AsyncSession(bind=writing)
    got = await stats_repository.per_doctor(session, admin, everyone)
    direct = await stats_repository.by_column(session, admin, everyone, "doctor_id")
    # Ids as text; patients without a doctor are one group keyed "" (the API's key for them).
    assert [tuple(row) for row in got] == [("" if d is None else str(d), n) for d, n in direct]
    assert any(d == "" for d, _ in got)


def _filters(day: date) -> list[PatientFilter]:
    return [
        PatientFilter(),
        PatientFilter(genders=("female", "other")),
        PatientFilter(statuses=("pending",), is_active=True),
        PatientFilter(is_active=False),
        # Aged 30-44 on `day`, and 18 or more (the bounds PatientFilterInput makes of ages).
        PatientFilter(born_after=latest_birth_date(day, 45), born_on_or_before=latest_birth_date(day, 30)),
        PatientFilter(born_on_or_before=latest_birth_date(day, 18), genders=("male",)),
    ]  # fmt: skip


def _oracle_where(where: PatientFilter) -> tuple[str, dict[str, Any]]:
    found, params = ["true"], {}
    for column, values in (("gender", where.genders), ("validation_status", where.statuses)):
        if values is not None:
            found.append(f"{column} = ANY(:{column})")
            params[column] = list(values)
    if where.is_active is not None:
        found.append("is_active = :active")
        params["active"] = where.is_active
    if where.born_after is not None:
        found.append("date_of_birth > :after")
        params["after"] = where.born_after
    if where.born_on_or_before is not None:
        found.append("date_of_birth <= :before")
        params["before"] = where.born_on_or_before
    return " AND ".join(found), params


@pytest.mark.parametrize(
    "day",
    [
        date.today(),
        date(2028, 2, 29),
        date(2027, 2, 28),
        date(2027, 3, 1),
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 6, 30),
    ],
    ids=str,
)
async def test_figures_from_the_summary_equal_a_direct_count(
    writing: AsyncConnection, day: date
) -> None:
    admin = Viewer("admin", None)
    session = AsyncSession(bind=writing)
    for where in _filters(day):
        assert stats_repository.summarised(admin, where)
        got = Counter({(g, s, b): n for g, s, b, n in await stats_repository.cells(
            session, admin, where, day) if n})  # fmt: skip
        condition, params = _oracle_where(where)
        rows = await writing.execute(
            text(f"SELECT gender, validation_status, {BAND}, count(*) FROM {AGED} AS p "
                 f"WHERE {condition} GROUP BY 1, 2, 3"),
            {"day": day, **params},
        )  # fmt: skip
        assert got == Counter({(g, s, b): n for g, s, b, n in rows.all()}), where


STATS = """query($f: PatientFilterInput) { patientStatistics(filter: $f) { total newLast30Days
  byGender { key count } byValidationStatus { key count } byAgeBand { key count } } }"""
FILTERS: list[dict[str, Any]] = [
    {},
    {"genders": ["FEMALE"]},
    {"validationStatuses": ["PENDING"], "isActive": True},
    {"minAge": 18, "maxAge": 44},
]


async def _direct(
    db: AsyncEngine, day: date, visible: str, where: dict[str, Any], ids: dict[str, Any]
) -> dict[str, Any]:
    """The figures counted straight from the table with PostgreSQL's age()."""
    found = [visible]
    if "genders" in where:
        found.append("gender = ANY(:genders)")
    if "validationStatuses" in where:
        found.append("validation_status = ANY(:statuses)")
    if "isActive" in where:
        found.append("is_active = :active")
    if "minAge" in where:
        found.append("a BETWEEN :low AND :high")
    params = {
        "day": day, "active": where.get("isActive"), "genders": [g.lower() for g in where.get("genders", [])],
        "statuses": [s.lower() for s in where.get("validationStatuses", [])],
        "low": where.get("minAge"), "high": where.get("maxAge"), **ids,
    }  # fmt: skip
    sql = (
        f"SELECT gender, validation_status, {BAND}, created_at >= now() - interval '30 days', "
        f"count(*) FROM {AGED} AS p WHERE {' AND '.join(found)} GROUP BY 1, 2, 3, 4"
    )
    async with db.connect() as conn:
        rows = (await conn.execute(text(sql), params)).all()
    figures: dict[str, Any] = {"total": 0, "new": 0, "gender": Counter(), "status": Counter(),
                               "band": Counter()}  # fmt: skip
    for gender, status, band, new, n in rows:
        figures["total"] += n
        figures["new"] += n if new else 0
        figures["gender"][gender] += n
        figures["status"][status] += n
        figures["band"][band] += n
    return figures


def _seen(stats: dict[str, Any]) -> dict[str, Any]:
    def counts(rows: list[dict[str, Any]]) -> Counter[str]:
        return Counter({r["key"]: r["count"] for r in rows if r["count"]})

    return {
        "total": stats["total"], "new": stats["newLast30Days"],
        "gender": counts(stats["byGender"]), "status": counts(stats["byValidationStatus"]),
        "band": counts(stats["byAgeBand"]),
    }  # fmt: skip


async def test_every_viewer_sees_a_direct_count(
    stack: SubgraphStack, http: httpx.AsyncClient, db: AsyncEngine
) -> None:
    day = today_in(stack.settings.timezone)
    doctor, doctor_headers = await _population(stack, http)
    institution_id = doctor["institution"]["id"]
    institution = await auth_headers(stack, http, role="institution", profile_id=institution_id)
    viewers = [
        (service(stack), "true", {}),
        (await as_role(stack, http, "admin"), "true", {}),
        (doctor_headers, "doctor_id = :doctor", {"doctor": uuid.UUID(doctor["id"])}),
        (institution, "institution_id = :inst", {"inst": uuid.UUID(institution_id)}),
    ]
    for headers, visible, ids in viewers:
        for where in FILTERS:
            body = await patients_gql(stack, http, STATS, {"f": where}, headers)
            assert not body.get("errors"), body
            assert _seen(body["data"]["patientStatistics"]) == await _direct(
                db, day, visible, where, ids
            ), (visible, where)


async def _population(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> tuple[dict[str, Any], dict[str, str]]:
    doctor, headers = await new_doctor(stack, http)
    today = today_in(stack.settings.timezone)
    for i, (gender, years) in enumerate([("FEMALE", 17), ("FEMALE", 18), ("MALE", 44),
                                         ("OTHER", 45), ("FEMALE", 30), ("MALE", 75)]):  # fmt: skip
        # Born on the day that makes them `years` old today, and the day after.
        born = latest_birth_date(today, years) + timedelta(days=i % 2)
        await create_patient(stack, http, headers, gender=gender, dateOfBirth=born.isoformat())
    return doctor, headers


async def test_patient_count_from_the_summary_equals_a_direct_count(
    stack: SubgraphStack, http: httpx.AsyncClient, db: AsyncEngine
) -> None:
    """An admin's (or a service's) `patientCount` narrowed only by gender, status or activity
    sums the summary; it must equal counting the table."""
    await _population(stack, http)
    query = "query($f: PatientFilterInput) { patientCount(filter: $f) }"
    cases = [
        ({}, "true", {}),
        ({"genders": ["FEMALE", "OTHER"]}, "gender IN ('female', 'other')", {}),
        ({"validationStatuses": ["PENDING"], "isActive": True},
         "validation_status = 'pending' AND is_active", {}),
    ]  # fmt: skip
    for headers in (service(stack), await as_role(stack, http, "admin")):
        for where, sql, params in cases:
            with stack.statements.counting():
                body = await patients_gql(stack, http, query, {"f": where}, headers)
            assert not body.get("errors"), body
            # Answered by the summary: its table read, the patients table not counted.
            read = " ".join(stack.statements.texts.get("patients", []))
            assert "patients.patient_counts" in read, read
            assert "FROM patients.patients" not in read, read
            async with db.connect() as conn:
                direct = await conn.scalar(
                    text(f"SELECT count(*) FROM patients.patients WHERE {sql}"), params
                )
            assert body["data"]["patientCount"] == direct, where
