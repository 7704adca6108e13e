"""The auth subgraph down (its server stopped) while doctors and patients are created: the caller
gets SERVICE_UNAVAILABLE, and no profile or login is left behind in any schema; once auth is
back, the same creations succeed."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from subgraphs.kit.auth import SERVICE_TOKEN_HEADER
from tests.support.stack import SubgraphStack
from tests.support.tokens import auth_headers

pytestmark = pytest.mark.asyncio(loop_scope="session")

_CREATE = {
    "doctors": "mutation($input: CreateDoctorInput!) { createDoctor(input: $input) { id } }",
    "patients": "mutation($input: CreatePatientInput!) { createPatient(input: $input) { id } }",
}
_PROFILE_TABLES = ("doctors.doctors", "patients.patients")


def _input(subgraph: str, email: str) -> dict[str, Any]:
    base = {"firstName": "Ada", "lastName": "Outage", "email": email,
            "password": "a sturdy passphrase for tests 9"}  # fmt: skip
    if subgraph == "doctors":
        return base | {"medicalLicense": f"OUT-{uuid.uuid4().int % 10**9:09d}"}
    return base | {"dateOfBirth": "1990-01-01", "gender": "FEMALE"}


async def _rows(stack: SubgraphStack, email: str) -> dict[str, int]:
    engine = create_async_engine(stack.infra.database_url)
    try:
        async with engine.connect() as conn:
            counts = {}
            for table in (*_PROFILE_TABLES, "auth.users"):
                query = text(f"SELECT count(*) FROM {table} WHERE email = :e")
                counts[table] = int((await conn.execute(query, {"e": email})).scalar_one())
            return counts
    finally:
        await engine.dispose()


async def _create(
    http: httpx.AsyncClient, stack: SubgraphStack, subgraph: str, email: str, headers: Any
) -> dict[str, Any]:
    variables = {"input": _input(subgraph, email)}
    response = await http.post(stack.url(subgraph), json={"query": _CREATE[subgraph],
                               "variables": variables}, headers=headers)  # fmt: skip
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("subgraph", ["doctors", "patients"])
async def test_auth_down_while_creating_leaves_nothing_and_says_so(
    own_stack: SubgraphStack, subgraph: str
) -> None:
    stack = own_stack
    async with httpx.AsyncClient(timeout=60) as http:
        if subgraph == "doctors":
            headers = {SERVICE_TOKEN_HEADER: stack.settings.service_token}
        else:  # signed in before auth goes down, and the signing key already fetched
            headers = await auth_headers(stack, http, role="admin")
            warm = await http.post(stack.url("patients"), json={"query": "{ patientCount }"},
                                   headers=headers)  # fmt: skip
            assert warm.json().get("errors") is None, warm.text
        auth_port = stack.ports["auth"]
        auth = next(s for s in stack.servers.servers if s.config.port == auth_port)
        stack.servers.stop(auth)
        try:
            email = f"authdown-{uuid.uuid4().hex[:10]}@tests.predicthealth.dev"
            body = await _create(http, stack, subgraph, email, headers)
            assert body["data"] is None
            error = body["errors"][0]
            assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
            assert "auth" in error["message"].lower()
            assert set((await _rows(stack, email)).values()) == {0}
        finally:
            stack.servers.serve(stack.apps["auth"], auth_port)
            stack.servers.wait_started()

        email = f"authback-{uuid.uuid4().hex[:10]}@tests.predicthealth.dev"
        body = await _create(http, stack, subgraph, email, headers)
        assert body.get("errors") is None, body
        rows = await _rows(stack, email)
        assert rows[f"{subgraph}.{subgraph}"] == 1
        assert rows["auth.users"] == 1
