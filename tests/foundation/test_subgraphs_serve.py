"""Every subgraph serves GraphQL and /health on real PostgreSQL and Redis."""

from __future__ import annotations

import httpx
import pytest

from subgraphs.kit.settings import SUBGRAPHS
from tests.support.stack import SubgraphStack

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.mark.parametrize("name", SUBGRAPHS)
async def test_health_lists_dependencies(
    stack: SubgraphStack, http: httpx.AsyncClient, name: str
) -> None:
    response = await http.get(f"http://127.0.0.1:{stack.ports[name]}/health")
    assert response.status_code == 200
    body = response.json()
    assert body["service"] == name
    assert body["status"] == "ok"
    for dependency in ("postgresql", "redis"):
        assert body["dependencies"][dependency]["status"] == "up"
        assert body["dependencies"][dependency]["latency_ms"] >= 0


@pytest.mark.parametrize("name", SUBGRAPHS)
async def test_service_sdl_is_federation_v2(
    stack: SubgraphStack, http: httpx.AsyncClient, name: str
) -> None:
    response = await http.post(stack.url(name), json={"query": "{ _service { sdl } }"})
    assert response.status_code == 200
    sdl = response.json()["data"]["_service"]["sdl"]
    assert "https://specs.apollo.dev/federation/v2" in sdl
    assert "@key" in sdl


async def test_request_id_is_echoed_and_generated(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    mine = await http.post(
        stack.url("doctors"), json={"query": "{ __typename }"}, headers={"x-request-id": "abc-123"}
    )
    assert mine.headers["x-request-id"] == "abc-123"
    generated = await http.post(stack.url("doctors"), json={"query": "{ __typename }"})
    assert len(generated.headers["x-request-id"]) == 32


async def test_public_query_answers_anonymously(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    response = await http.post(
        stack.url("doctors"), json={"query": "{ specialties { name category } }"}
    )
    specialties = response.json()["data"]["specialties"]
    assert {"name": "Cardiology", "category": "medical"} in specialties


async def test_protected_query_needs_credentials(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    response = await http.post(
        stack.url("institutions"), json={"query": "{ institutions { totalCount } }"}
    )
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_service_credential_reads_seeded_rows(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    response = await http.post(
        stack.url("institutions"),
        json={"query": "{ institutions(first: 10) { edges { node { name institutionType } } } }"},
        headers={"x-service-token": stack.settings.service_token},
    )
    # At least the seeded four (other tests of the session may add their own).
    assert len(response.json()["data"]["institutions"]["edges"]) >= 4


async def test_bad_input_is_a_coded_error_not_a_500(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    response = await http.post(
        stack.url("institutions"),
        json={"query": "{ institutions(first: 100000) { totalCount } }"},
        headers={"x-service-token": stack.settings.service_token},
    )
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
