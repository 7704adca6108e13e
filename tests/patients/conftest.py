"""Fixtures of the patients/admins tests: database access and demo profile ids."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from subgraphs.kit.seeding import DEMO_LOGINS
from tests.support.infra import TestInfra


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def db(infra: TestInfra) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(infra.database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as conn:
        return await conn.scalar(text(sql), params)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def demo(db: AsyncEngine) -> dict[str, str]:
    """Profile ids of the seeded demo doctor, institution, patient and admin."""
    found: dict[str, str] = {}
    for role, table in (("doctor", "doctors.doctors"), ("patient", "patients.patients"),
                        ("admin", "admins.admins")):  # fmt: skip
        found[role] = str(await scalar(db, f"SELECT id FROM {table} WHERE email = :e",
                                       e=DEMO_LOGINS[role]))  # fmt: skip
    found["institution"] = str(
        await scalar(
            db, "SELECT institution_id FROM doctors.doctors WHERE id = :i", i=found["doctor"]
        )
    )
    return found
