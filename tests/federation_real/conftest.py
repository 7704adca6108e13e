"""Session fixtures: our five real subgraphs, a supergraph composed for their ports, Apollo Gateway
and our router over it, and a Bearer token per role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from router.composition import SubgraphSource, compose
from subgraphs.kit.registry import subgraph_sdl
from subgraphs.kit.seeding import DEMO_LOGINS
from subgraphs.kit.settings import SUBGRAPHS
from tests.support.gateway_pair import GatewayPair, start_gateway_pairs
from tests.support.stack import SubgraphStack
from tests.support.tokens import auth_headers

#: Client headers a gateway must pass on to subgraphs (our router does so on its own).
FORWARDED = ("authorization", "x-request-id")
#: Every caller the suite compares: the five demo logins and nobody.
ROLES = ("anonymous", "admin", "institution", "doctor", "patient", "analyst")


@pytest.fixture(scope="session")
def real_supergraph(stack: SubgraphStack, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The supergraph of the five subgraphs as they are now, routed to this session's ports."""
    sources = [SubgraphSource(n, stack.url(n), subgraph_sdl(n)) for n in SUBGRAPHS]
    path = tmp_path_factory.mktemp("federation_real") / "supergraph.graphql"
    path.write_text(compose(sources))
    return path


@pytest.fixture(scope="session")
def real_pair(real_supergraph: Path) -> Iterator[GatewayPair]:
    pair = start_gateway_pairs({"real": real_supergraph}, forward_headers=FORWARDED)["real"]
    try:
        yield pair
    finally:
        pair.stop()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def role_headers(stack: SubgraphStack, http: httpx.AsyncClient) -> dict[str, dict[str, str]]:
    """Request headers per role: a demo login's Bearer token (none for anonymous)."""
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for role in ROLES[1:]:
        headers[role] = await auth_headers(stack, http, role=role, email=DEMO_LOGINS[role])
    return headers


@pytest.fixture(scope="session")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30.0) as sync_client:
        yield sync_client


def _first_id(client: httpx.Client, url: str, headers: dict[str, str], query: str) -> Any:
    body = client.post(url, json={"query": query}, headers=headers).json()
    assert not body.get("errors"), body
    data: Any = body["data"]
    while isinstance(data, dict) and "id" not in data:
        data = next(iter(data.values()))
        if isinstance(data, list):
            data = data[0]
    return data["id"]


@pytest.fixture(scope="session")
def seeded_ids(
    real_pair: GatewayPair, role_headers: dict[str, dict[str, str]], client: httpx.Client
) -> dict[str, str]:
    """Ids of seeded rows the corpus refers to (asked of Apollo Gateway, as admin)."""
    admin = role_headers["admin"]
    url = real_pair.apollo.url
    return {
        "doctorId": _first_id(
            client, url, admin, "{ doctors(first: 1) { edges { node { id } } } }"
        ),
        "institutionId": _first_id(
            client, url, admin, "{ institutions(first: 1) { edges { node { id } } } }"
        ),
        "patientId": _first_id(
            client, url, admin, "{ patients(first: 1) { edges { node { id } } } }"
        ),
        "specialtyId": _first_id(client, url, admin, "{ specialties { id } }"),
    }
