"""Fixtures of the directory tests: direct database access for checks the API cannot make."""

from __future__ import annotations

import uuid
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

INSTITUTIONS, PER_INSTITUTION = 50, 10


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


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def crowd(db: AsyncEngine, specialties: dict[str, str]) -> dict[str, list[str]]:
    """50 institutions with 10 doctors each (500), inserted in bulk."""
    tag = uuid.uuid4().hex[:8]
    spec_ids = list(specialties.values())
    institutions = [str(uuid.uuid4()) for _ in range(INSTITUTIONS)]
    doctors: list[dict[str, Any]] = []
    for i, institution in enumerate(institutions):
        for j in range(PER_INSTITUTION):
            n = i * PER_INSTITUTION + j
            doctors.append({
                "id": str(uuid.uuid4()), "inst": institution, "first": f"N{n}", "last": f"Crowd {tag}",
                "email": f"crowd-{n}-{tag}@n1.example.org", "licence": f"NPO-{uuid.uuid4().int % 10**10:010d}",
                "spec": spec_ids[n % len(spec_ids)], "second": spec_ids[(n + 7) % len(spec_ids)],
            })  # fmt: skip
    async with db.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO institutions.institutions (id, name, institution_type, contact_email, "
                "license_number, region) VALUES (:id, :name, 'hospital', :email, :licence, :region)"
            ),
            [
                {"id": iid, "name": f"Crowd {i} {tag}", "email": f"crowd-{i}-{tag}@n1.example.org",
                 "licence": f"NPI-{uuid.uuid4().int % 10**10:010d}", "region": f"Crowd {tag}"}
                for i, iid in enumerate(institutions)
            ],
        )  # fmt: skip
        await conn.execute(
            text(
                "INSERT INTO doctors.doctors (id, institution_id, first_name, last_name, email, "
                "medical_license, specialty_id, secondary_specialty_id) VALUES (:id, :inst, :first, "
                ":last, :email, :licence, :spec, :second)"
            ),
            doctors,
        )
    return {"institutions": institutions, "doctors": [d["id"] for d in doctors]}
