"""The statistics cache (`subgraphs/kit/stats_cache.py`): served from Redis until the data
changes — through the API or behind its back — and computed directly when Redis is away."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from subgraphs.kit.stats_cache import _RECENT, StatsCache
from tests.directory.factories import relays_paused
from tests.patients.helpers import as_role, create_patient, patients_gql
from tests.support.stack import SubgraphStack

pytestmark = pytest.mark.asyncio(loop_scope="session")

STATS = "{ patientStatistics { total byGender { key count } byDoctor { key count } } }"


async def _statistics(
    stack: SubgraphStack, http: httpx.AsyncClient, headers: dict[str, str]
) -> tuple[dict[str, Any], int]:
    """The figures and how many SQL statements the patients subgraph ran for them."""
    async with relays_paused(stack, "patients"):
        with stack.statements.counting() as counts:
            body = await patients_gql(stack, http, STATS, None, headers)
    assert not body.get("errors"), body
    return body["data"]["patientStatistics"], counts.get("patients", 0)


async def test_repeated_statistics_come_from_the_cache(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    admin = await as_role(stack, http, "admin")
    first, _ = await _statistics(stack, http, admin)
    again, statements = await _statistics(stack, http, admin)
    assert again == first
    assert statements == 1  # the generation read; no aggregate ran


async def test_a_write_through_the_api_is_counted_at_once(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    admin = await as_role(stack, http, "admin")
    before, _ = await _statistics(stack, http, admin)
    await create_patient(stack, http)
    after, statements = await _statistics(stack, http, admin)
    assert after["total"] == before["total"] + 1
    assert statements > 1  # recomputed


async def test_a_write_behind_the_api_is_counted_too(
    stack: SubgraphStack, http: httpx.AsyncClient, db: AsyncEngine
) -> None:
    """The generation is advanced by a trigger, so psql, seeds and migrations count too."""
    admin = await as_role(stack, http, "admin")
    created = await create_patient(stack, http, gender="OTHER")
    before, _ = await _statistics(stack, http, admin)
    async with db.begin() as conn:
        await conn.execute(
            text("UPDATE patients.patients SET gender = 'male' WHERE id = :id"),
            {"id": created["id"]},
        )
    after, statements = await _statistics(stack, http, admin)
    figures = {g["key"]: g["count"] for g in after["byGender"]}
    earlier = {g["key"]: g["count"] for g in before["byGender"]}
    assert figures["other"] == earlier["other"] - 1
    assert figures["male"] == earlier["male"] + 1
    assert statements > 1


async def test_without_redis_figures_are_computed(stack: SubgraphStack, db: AsyncEngine) -> None:
    unreachable = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.5)
    cache = StatsCache(unreachable, stack.settings, "patients")
    calls = 0

    async def compute() -> int:
        nonlocal calls
        calls += 1
        return 42

    try:
        async with async_sessionmaker(db)() as session:
            for _ in range(2):
                assert await cache.get(session, ("t",), compute, dump=int, load=int) == 42
    finally:
        await unreachable.aclose()
    assert calls == 2


async def test_per_doctor_figures_when_asked_through_a_fragment(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    """byDoctor is left out when not selected; a fragment selecting it still gets it."""
    admin = await as_role(stack, http, "admin")
    query = """{ patientStatistics { total ...D } }
      fragment D on PatientStatistics { ... on PatientStatistics { byDoctor { key count } } }"""
    body = await patients_gql(stack, http, query, None, admin)
    assert not body.get("errors"), body
    figures = body["data"]["patientStatistics"]
    assert sum(d["count"] for d in figures["byDoctor"]) == figures["total"]


async def test_a_new_generation_replaces_the_process_copy(
    stack: SubgraphStack, db: AsyncEngine
) -> None:
    """One in-process value per question: an outdated one is dropped as soon as a newer
    generation is computed, not kept alive (and walked by the garbage collector) until it ages
    out."""
    redis = Redis.from_url(stack.settings.redis_url)
    cache = StatsCache(redis, stack.settings, "patients")
    computed = iter(range(7_000_001, 7_000_100))  # values no other question holds

    async def compute() -> int:
        return next(computed)

    try:
        async with async_sessionmaker(db)() as session:
            first = await cache.get(session, ("replaced",), compute, dump=int, load=int)
            assert await cache.get(session, ("replaced",), compute, dump=int, load=int) == first
            await session.execute(text("SELECT nextval('patients.stats_generation')"))
            await session.commit()
            second = await cache.get(session, ("replaced",), compute, dump=int, load=int)
    finally:
        await redis.aclose()
    assert second == first + 1
    held = [value for *_, value in _RECENT.values.values()]
    assert second in held
    assert first not in held
