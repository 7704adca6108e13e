"""ENVIRONMENT=production turns GraphiQL and introspection off at the router and every subgraph,
and keeps unexpected errors masked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from subgraphs.kit.app import create_subgraph_app
from subgraphs.kit.embedded import free_port
from subgraphs.kit.registry import load_definition
from subgraphs.kit.settings import SUBGRAPHS
from tests.reliability.support import start_router, supergraph_for
from tests.support.infra import TestInfra
from tests.support.stack import ServerThread, SubgraphStack, stack_settings

INTROSPECTION = {"query": "{ __schema { queryType { name } } }"}
BROWSER = {"accept": "text/html,application/xhtml+xml"}


def _refused(response: httpx.Response) -> bool:
    body = response.json()
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
    return not body.get("data") and "GRAPHQL_VALIDATION_FAILED" in codes


@pytest.fixture(scope="module")
def production_subgraphs(infra: TestInfra) -> Iterator[dict[str, str]]:
    ports = {name: free_port(0) for name in SUBGRAPHS}
    settings = stack_settings(infra, ports).model_copy(update={"environment": "production"})
    servers = ServerThread()
    try:
        for name in SUBGRAPHS:
            app = create_subgraph_app(load_definition(name), settings=settings)
            servers.serve(app, ports[name])
        servers.wait_started()
        yield {name: f"http://127.0.0.1:{port}/graphql" for name, port in ports.items()}
    finally:
        servers.stop()


@pytest.mark.parametrize("name", SUBGRAPHS)
def test_production_subgraph_refuses_introspection_and_serves_no_ide(
    production_subgraphs: dict[str, str], name: str
) -> None:
    url = production_subgraphs[name]
    assert _refused(httpx.post(url, json=INTROSPECTION, timeout=30))
    # The router's and composition's `_service { sdl }` is a plain field, not introspection.
    sdl = httpx.post(url, json={"query": "{ _service { sdl } }"}, timeout=30).json()
    assert "type Query" in sdl["data"]["_service"]["sdl"]
    page = httpx.get(url, headers=BROWSER, timeout=30)
    assert "graphiql" not in page.text.lower()


def test_development_subgraph_still_answers_introspection(own_stack: SubgraphStack) -> None:
    """The same schema objects: the switch is per app, not baked into the shared schema."""
    body = httpx.post(own_stack.url("doctors"), json=INTROSPECTION, timeout=30).json()
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


def test_production_router_refuses_introspection_and_serves_no_ide(
    production_subgraphs: dict[str, str], tmp_path: Path
) -> None:
    supergraph = supergraph_for(production_subgraphs, tmp_path)
    router = start_router(supergraph, env={"ENVIRONMENT": "production"})
    try:
        assert _refused(httpx.post(router.url, json=INTROSPECTION, timeout=30))
        page = httpx.get(router.url, headers=BROWSER, timeout=30)
        assert "graphiql" not in page.text.lower()
        # Queries still work through the production subgraphs.
        body = httpx.post(router.url, json={"query": "{ specialties { id name } }"},
                          timeout=30).json()  # fmt: skip
        assert body.get("errors") is None, body
    finally:
        router.stop()


def test_router_outside_production_answers_introspection(
    production_subgraphs: dict[str, str], tmp_path: Path
) -> None:
    router = start_router(supergraph_for(production_subgraphs, tmp_path), env={"ENVIRONMENT": ""})
    try:
        body = httpx.post(router.url, json=INTROSPECTION, timeout=30).json()
        assert body["data"]["__schema"]["queryType"]["name"] == "Query"
        page = httpx.get(router.url, headers=BROWSER, timeout=30)
        assert "graphiql" in page.text.lower()
    finally:
        router.stop()


def test_production_router_masks_subgraph_failures(tmp_path: Path) -> None:
    """A subgraph nobody listens on: a code, and no host, port, exception or stack trace."""
    dead = f"http://127.0.0.1:{free_port(0)}/graphql"
    supergraph = supergraph_for(dict.fromkeys(SUBGRAPHS, dead), tmp_path)
    router = start_router(supergraph, env={"ENVIRONMENT": "production"})
    try:
        response = httpx.post(router.url, json={"query": "{ specialties { id name } }"},
                              timeout=30)  # fmt: skip
        assert response.status_code < 500
        text = response.text
        assert "127.0.0.1" not in text
        assert "Traceback" not in text
        assert "Error(" not in text
        assert response.json()["errors"][0]["extensions"]["code"]
    finally:
        router.stop()
