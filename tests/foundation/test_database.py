"""Migrations, schemas per subgraph, and deterministic seeding on real PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from subgraphs.kit.seeding import DEMO_LOGINS, SeedPlan, is_seeded, seed, wipe
from subgraphs.kit.settings import SUBGRAPHS
from tests.support.infra import TestInfra, create_test_infra, drop_test_infra

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_each_subgraph_owns_a_schema_with_its_own_version_table(infra: TestInfra) -> None:
    engine = create_async_engine(infra.database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT table_schema FROM information_schema.tables WHERE table_name = 'alembic_version'"
                )
            )
            assert sorted(r[0] for r in rows) == sorted(SUBGRAPHS)
            for name in SUBGRAPHS:
                version = await conn.scalar(
                    text(f'SELECT version_num FROM "{name}".alembic_version')
                )
                assert version is not None
                assert version.startswith(name)
    finally:
        await engine.dispose()


async def test_seed_is_deterministic_and_has_the_demo_logins() -> None:
    """Same plan, same rows: seeded twice into an isolated database (the session database is
    shared with tests that add their own patients, so it is no reference)."""
    import asyncio

    from subgraphs.kit.migrations import migrate

    other = await create_test_infra()
    engine = create_async_engine(other.database_url)
    query = text(
        "SELECT id, first_name, last_name, date_of_birth, doctor_id FROM patients.patients ORDER BY id"
    )
    try:
        for name in SUBGRAPHS:
            await asyncio.to_thread(migrate, name, other.database_url)
        plan = SeedPlan(patients=120, doctors=12, institutions=4, seed=7, rounds=4)
        snapshots = []
        for _ in range(2):
            assert not await is_seeded(engine)
            await seed(engine, plan, lambda *_: None)
            assert await is_seeded(engine)
            async with engine.connect() as conn:
                snapshots.append((await conn.execute(query)).all())
                emails = {
                    r[0]
                    for r in await conn.execute(
                        text("SELECT email FROM auth.users WHERE password_hash IS NOT NULL")
                    )
                }
            assert emails == set(DEMO_LOGINS.values())
            await wipe(engine)
        assert len(snapshots[0]) == 120
        assert snapshots[0] == snapshots[1]
    finally:
        await engine.dispose()
        await drop_test_infra(other)


async def test_demo_doctor_owns_the_demo_patient(infra: TestInfra) -> None:
    engine = create_async_engine(infra.database_url)
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text(
                        "SELECT p.doctor_id = d.id, p.institution_id = d.institution_id, i.contact_email "
                        "FROM patients.patients p, doctors.doctors d, institutions.institutions i "
                        "WHERE p.email = :p AND d.email = :d AND i.id = d.institution_id"
                    ),
                    {"p": DEMO_LOGINS["patient"], "d": DEMO_LOGINS["doctor"]},
                )
            ).one()
        assert row == (True, True, DEMO_LOGINS["institution"])
    finally:
        await engine.dispose()
