"""Real PostgreSQL and Redis for the tests: the configured servers, or embedded ones.

Each test session creates its own database and its own Redis key prefix, and removes both at the
end: the tests never touch data they did not create.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from redis.asyncio import Redis
from sqlalchemy.engine import make_url

from subgraphs.kit.embedded import EmbeddedServers

__all__ = ["TestInfra", "create_test_infra", "drop_test_infra", "server_urls"]

ROOT = Path(__file__).resolve().parents[2]


def server_urls() -> tuple[str, str]:
    """(PostgreSQL server URL, Redis URL) from DATABASE_URL / REDIS_URL, else embedded servers."""
    database_url = os.environ.get("DATABASE_URL")
    redis_url = os.environ.get("REDIS_URL")
    if database_url and redis_url:
        return database_url, redis_url
    embedded = EmbeddedServers(
        ROOT / ".predicthealth" / "test-servers", pg_port=55433, redis_port=56380
    )
    embedded.start()
    return database_url or embedded.database_url, redis_url or embedded.redis_url


@dataclass(frozen=True, slots=True)
class TestInfra:
    __test__ = False  # a fixture value, not a test class

    server_url: str
    database_url: str
    database_name: str
    redis_url: str
    redis_prefix: str


def _asyncpg_dsn(url: str, database: str) -> str:
    parsed = make_url(url).set(drivername="postgresql", database=database)
    return parsed.render_as_string(hide_password=False)


async def create_test_infra() -> TestInfra:
    server_url, redis_url = server_urls()
    name = f"ph_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(_asyncpg_dsn(server_url, "postgres"))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    database_url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    return TestInfra(server_url, database_url, name, redis_url, f"phtest:{name}:")


async def drop_test_infra(infra: TestInfra) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(infra.server_url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{infra.database_name}" WITH (FORCE)')
    finally:
        await conn.close()
    redis = Redis.from_url(infra.redis_url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{infra.redis_prefix}*", count=1000)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()
