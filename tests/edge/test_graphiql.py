"""GraphiQL over HTTP: the page for browsers, self-hosted assets, example tabs, the off switches."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from graphql import parse, validate

from router.api_schema import build_api_schema
from router.config import RouterConfig
from router.edge.graphiql import ASSETS, EXAMPLE_TABS, GraphiQL
from router.supergraph import Supergraph
from tests.edge.conftest import serve_edge

BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"


@pytest.mark.asyncio(loop_scope="session")
async def test_page_and_assets_for_browsers() -> None:
    async with serve_edge(RouterConfig()) as edge, httpx.AsyncClient() as http:
        page = await http.get(edge.url, headers=BROWSER)
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        html = page.text
        # Nothing loads from elsewhere: every src/href is the router's own /graphiql/ path.
        assert "://" not in html
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sorted(a.split("?")[0] for a in assets) == sorted(f"/graphiql/{n}" for n in ASSETS)
        assert "Bearer <token>" in html
        assert "systemStatistics" in html
        assert "institutionStatistics" in html
        assert "doctorStatistics" in html
        assert '"apollo-require-preflight"' in html
        assert '"content-type": "application/json"' in html
        base = edge.url.removesuffix("/graphql")
        for asset in assets:
            response = await http.get(base + asset)
            assert response.status_code == 200
            name = asset.split("?")[0].rsplit("/", 1)[1]
            assert response.headers["content-type"] == ASSETS[name].decode()
            assert "max-age=31536000" in response.headers["cache-control"]
            assert len(response.content) > 1000
        assert (await http.get(f"{base}/graphiql/../../pyproject.toml")).status_code == 404
        # GraphQL clients are unaffected; the page's own request shape passes CSRF.
        api = await http.get(edge.url, params={"query": "{ __typename }"})
        assert api.status_code == 400  # CSRF prevention still guards simple GETs
        posted = await http.post(
            edge.url,
            json={"query": "{ doctors { id } }"},
            headers={"apollo-require-preflight": "true"},
        )
        assert posted.status_code == 200
        assert posted.json()["data"]["doctors"][0] == {"id": "1"}


def test_example_tabs_are_valid_against_our_supergraph() -> None:
    schema = build_api_schema(Supergraph(SUPERGRAPH.read_text()).document)
    for query, _ in EXAMPLE_TABS:
        assert validate(schema, parse(query)) == []


@pytest.mark.asyncio(loop_scope="session")
async def test_disabled_by_setting_and_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    async with serve_edge(RouterConfig(graphiql=False)) as edge, httpx.AsyncClient() as http:
        page = await http.get(edge.url, headers=BROWSER)
        assert page.status_code == 400  # the GraphQL endpoint answers (CSRF), no page
        assert "text/html" not in page.headers["content-type"]
        base = edge.url.removesuffix("/graphql")
        assert (await http.get(f"{base}/graphiql/graphiql.min.js")).status_code == 404
    monkeypatch.setenv("ENVIRONMENT", "production")
    assert not GraphiQL(enabled=True).enabled


@pytest.mark.asyncio(loop_scope="session")
async def test_no_introspection() -> None:
    query = {"query": "query { ...F } fragment F on Query { __schema { queryType { name } } }"}
    headers = {"apollo-require-preflight": "true"}
    async with serve_edge(RouterConfig(introspection=False)) as edge, httpx.AsyncClient() as http:
        response = await http.post(edge.url, json=query, headers=headers)
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        ok = await http.post(edge.url, json={"query": "{ doctors { id } }"}, headers=headers)
        assert ok.status_code == 200
    async with serve_edge(RouterConfig()) as edge, httpx.AsyncClient() as http:
        response = await http.post(edge.url, json=query, headers=headers)
        assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
