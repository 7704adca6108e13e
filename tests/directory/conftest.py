"""Fixtures of the directory tests: direct database access for checks the API cannot make."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tests.directory.dataset import Dataset, load
from tests.directory.factories import gql, service_headers
from tests.support.infra import TestInfra
from tests.support.stack import SubgraphStack


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
async def specialties(stack: SubgraphStack, http: httpx.AsyncClient) -> dict[str, str]:
    """The catalog, name → id."""
    body = await gql(stack, http, "doctors", "{ specialties { id name } }", None,
                     service_headers(stack))  # fmt: skip
    return {s["name"]: s["id"] for s in body["data"]["specialties"]}


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def dataset(db: AsyncEngine, specialties: dict[str, str]) -> Dataset:
    """The hand-made rows of tests/directory/dataset.py, loaded once per session."""
    return await load(db, specialties)
