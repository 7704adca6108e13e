"""Session fixtures: a fresh database on real PostgreSQL/Redis, demo data, the running subgraphs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import create_async_engine

from subgraphs.kit.migrations import migrate
from subgraphs.kit.seeding import SeedPlan, seed
from subgraphs.kit.settings import SUBGRAPHS
from tests.support.infra import TestInfra, create_test_infra, drop_test_infra
from tests.support.stack import SubgraphStack, start_stack

#: Small but with every relation populated; deterministic (same seed, same rows).
TEST_PLAN = SeedPlan(patients=120, doctors=12, institutions=4, seed=7, rounds=12)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def infra() -> AsyncIterator[TestInfra]:
    created = await create_test_infra()
    try:
        for name in SUBGRAPHS:
            await asyncio.to_thread(migrate, name, created.database_url)
        engine = create_async_engine(created.database_url)
        try:
            await seed(engine, TEST_PLAN, lambda *_: None)
        finally:
            await engine.dispose()
        yield created
    finally:
        await drop_test_infra(created)


@pytest.fixture(scope="session")
def stack(infra: TestInfra) -> Iterator[SubgraphStack]:
    running = start_stack(infra)
    try:
        yield running
    finally:
        running.servers.stop()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30.0) as client:
        yield client
