"""`userCounts` comes from `auth.role_counts` (migration `auth_0005`): it equals a direct count
of logins and distinct profiles per role after every kind of write — several logins of one
profile, profile and role changes, deletes, COPY, TRUNCATE — and when two transactions give the
same new profile its first logins at the same time."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from tests.support.infra import TestInfra

pytestmark = pytest.mark.asyncio(loop_scope="session")

MISMATCHES = """
SELECT count(*) FROM (
  SELECT role, count(DISTINCT profile_id) AS profiles, count(*) AS logins
  FROM auth.users GROUP BY role) AS t
FULL JOIN (SELECT role, sum(profiles) AS profiles, sum(logins) AS logins
           FROM auth.role_counts GROUP BY role HAVING sum(logins) <> 0) AS c USING (role)
WHERE (t.profiles, t.logins) IS DISTINCT FROM (c.profiles, c.logins)"""
ADD = """INSERT INTO auth.users (id, email, role, profile_id)
SELECT gen_random_uuid(), 'rc-' || gen_random_uuid() || '@tests.dev', :role, CAST(:profile AS uuid)
FROM generate_series(1, :n)"""
TAG = "rc-%@tests.dev"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def engine(infra: TestInfra) -> AsyncIterator[AsyncEngine]:
    created = create_async_engine(infra.database_url)
    try:
        yield created
    finally:
        async with created.begin() as conn:
            await conn.execute(text("DELETE FROM auth.users WHERE email LIKE :t"), {"t": TAG})
        await created.dispose()


async def _mismatches(conn: AsyncConnection) -> int:
    return int(await conn.scalar(text(MISMATCHES)) or 0)


async def _add(conn: AsyncConnection, role: str, profile: uuid.UUID | None, n: int = 1) -> None:
    await conn.execute(text(ADD), {"role": role, "profile": profile, "n": n})


async def test_every_kind_of_write_is_counted(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.begin()
        await conn.execute(text("SET LOCAL lock_timeout = '10s'"))
        one, two = uuid.uuid4(), uuid.uuid4()
        steps: list[tuple[str, Any]] = [
            ("first login of a profile", lambda: _add(conn, "doctor", one)),
            ("its second and third", lambda: _add(conn, "doctor", one, 2)),
            ("logins of no profile", lambda: _add(conn, "analyst", None, 3)),
            ("many profiles at once (the bulk path)", lambda: conn.execute(text(
                "INSERT INTO auth.users (id, email, role, profile_id) SELECT gen_random_uuid(), "
                "'rc-' || gen_random_uuid() || '@tests.dev', 'patient', gen_random_uuid() "
                "FROM generate_series(1, 200)"))),
            ("a login moves to another profile", lambda: conn.execute(text(
                "UPDATE auth.users SET profile_id = :two WHERE id = (SELECT id FROM auth.users "
                "WHERE profile_id = :one LIMIT 1)"), {"one": one, "two": two})),
            ("a role changes", lambda: conn.execute(text(
                "UPDATE auth.users SET role = 'institution' WHERE profile_id = :two"), {"two": two})),
            ("a sign-in touches nothing counted", lambda: conn.execute(text(
                "UPDATE auth.users SET last_login_at = now() WHERE email LIKE :t"), {"t": TAG})),
            ("one of two logins goes", lambda: conn.execute(text(
                "DELETE FROM auth.users WHERE id = (SELECT id FROM auth.users "
                "WHERE profile_id = :one LIMIT 1)"), {"one": one})),
            ("the profile's last login goes", lambda: conn.execute(text(
                "DELETE FROM auth.users WHERE profile_id = :one"), {"one": one})),
        ]  # fmt: skip
        for name, step in steps:
            await step()
            assert await _mismatches(conn) == 0, name
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection
        records = [(uuid.uuid4(), f"rc-copy-{i}-{uuid.uuid4().hex}@tests.dev", "patient",
                    uuid.uuid4()) for i in range(100)]  # fmt: skip
        await driver.copy_records_to_table(
            "users", records=records, columns=["id", "email", "role", "profile_id"],
            schema_name="auth",
        )  # fmt: skip
        assert await _mismatches(conn) == 0, "COPY"
        await conn.execute(text("TRUNCATE auth.users CASCADE"))
        assert await conn.scalar(text("SELECT count(*) FROM auth.role_counts")) == 0
        await conn.rollback()


async def test_concurrent_first_logins_of_one_profile_count_it_once(engine: AsyncEngine) -> None:
    profile = uuid.uuid4()
    async with engine.connect() as first, engine.connect() as second:
        await first.begin()
        await second.begin()
        await _add(first, "doctor", profile)
        # The second writer waits for the first's lock on the profile, then sees its login.
        waiting = asyncio.create_task(_add(second, "doctor", profile))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        await first.commit()
        await waiting
        await second.commit()
    async with engine.connect() as conn:
        assert await _mismatches(conn) == 0
