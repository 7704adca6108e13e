"""The embedded PostgreSQL and Redis (PyPI wheels) start, serve, stop and keep their data."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest
from redis.asyncio import Redis

from subgraphs.kit.embedded import EmbeddedServers, free_port

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_embedded_servers_reuse_their_data(tmp_path: Path) -> None:
    servers = EmbeddedServers(tmp_path / "servers", pg_port=free_port(0), redis_port=free_port(0))
    try:
        assert servers.start() is True
        dsn = servers.database_url.replace("+asyncpg", "")
        conn = await asyncpg.connect(dsn)
        await conn.execute("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)")
        await conn.close()
        redis = Redis.from_url(servers.redis_url)
        await redis.set("kept", "yes")
        await redis.aclose()
        servers.stop()
        assert not servers.running()

        assert servers.start() is True
        assert servers.start() is False  # already running: reused, not restarted
        conn = await asyncpg.connect(servers.database_url.replace("+asyncpg", ""))
        assert await conn.fetchval("SELECT v FROM kept") == 42
        await conn.close()
        redis = Redis.from_url(servers.redis_url)
        assert await redis.get("kept") == b"yes"
        await redis.aclose()
    finally:
        servers.stop()
