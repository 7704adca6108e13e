"""GraphQL over HTTP at the edge: the graphql-http audit suite, negotiation, CSRF, CORS, body size."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from router.config import RouterConfig
from router.edge import HttpConfig
from tests.edge.conftest import serve_edge

pytestmark = pytest.mark.asyncio(loop_scope="session")

PEERS = Path(__file__).resolve().parents[1] / "peers"
AUDIT = Path(__file__).with_name("graphql_http_audit.cjs")


async def test_graphql_http_audits_all_ok() -> None:
    node = shutil.which("node")
    if node is None or not (PEERS / "node_modules" / "graphql-http").exists():
        pytest.skip("node or tests/peers/node_modules/graphql-http missing")
    # The default follows the spec's SHOULD (200 for GraphQL errors under application/json); with
    # `json_errors_ok=False` (Apollo's 400) three SHOULD audits would warn.
    async with serve_edge(RouterConfig()) as edge:
        # A subprocess awaited asynchronously: the router under audit runs on this loop.
        proc = await asyncio.create_subprocess_exec(
            node, str(AUDIT), edge.url, cwd=PEERS, stdout=subprocess.PIPE
        )
        out, _ = await asyncio.wait_for(proc.communicate(), 30)
    results = json.loads(out)
    assert len(results) > 50
    failed = [f"{r['status']}: {r['name']} ({r['reason']})" for r in results if r["status"] != "ok"]
    assert failed == []


async def test_negotiation_and_status_codes() -> None:
    async with serve_edge(RouterConfig()) as edge, httpx.AsyncClient() as http:
        bad = {"query": "{ doctors { nope } }"}
        modern = await http.post(
            edge.url, json=bad, headers={"accept": "application/graphql-response+json"}
        )
        assert modern.status_code == 400
        assert modern.headers["content-type"].startswith("application/graphql-response+json")
        legacy = await http.post(edge.url, json=bad, headers={"accept": "application/json"})
        assert legacy.status_code == 200
        assert legacy.headers["content-type"] == "application/json"
        assert legacy.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        wildcard = await http.post(edge.url, json=bad)  # */*: Apollo Gateway's 400
        assert wildcard.status_code == 400
        apollo = RouterConfig(http=HttpConfig(json_errors_ok=False))
        async with serve_edge(apollo) as apollo_like:
            default = await http.post(
                apollo_like.url, json=bad, headers={"accept": "application/json"}
            )
            assert default.status_code == 400
            assert default.headers["content-type"] == "application/json"
        html_only = await http.post(edge.url, json=bad, headers={"accept": "image/png"})
        assert html_only.status_code == 406
        no_type = await http.post(
            edge.url,
            content=b'{"query":"{ doctors { id } }"}',
            headers={"x-apollo-operation-name": "x"},
        )
        assert no_type.status_code == 415


async def test_csrf_prevention() -> None:
    async with serve_edge(RouterConfig()) as edge, httpx.AsyncClient() as http:
        query = {"query": "{ doctors { id } }"}
        simple_get = await http.get(edge.url, params=query)
        assert simple_get.status_code == 400
        assert simple_get.json()["errors"][0]["extensions"]["code"] == "CSRF_PREVENTION"
        form = await http.post(
            edge.url, content=json.dumps(query), headers={"content-type": "text/plain"}
        )
        assert form.status_code == 400
        assert not edge.behaviours["doctors"].seen_bodies  # blocked before any subgraph call
        get = await http.get(edge.url, params=query, headers={"apollo-require-preflight": "1"})
        assert get.status_code == 200
        named = await http.get(edge.url, params=query, headers={"x-apollo-operation-name": "Q"})
        assert named.status_code == 200
    off = RouterConfig(http=HttpConfig(csrf_prevention=False))
    async with serve_edge(off) as edge, httpx.AsyncClient() as http:
        assert (await http.get(edge.url, params=query)).status_code == 200


async def test_cors_allow_list() -> None:
    config = RouterConfig(http=HttpConfig(cors_origins=("https://app.example",)))
    async with serve_edge(config) as edge, httpx.AsyncClient() as http:
        preflight = await http.options(
            edge.url,
            headers={
                "origin": "https://app.example",
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type, authorization",
            },
        )
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == "https://app.example"
        assert "POST" in preflight.headers["access-control-allow-methods"]
        assert preflight.headers["access-control-allow-headers"] == "content-type, authorization"
        allowed = await http.post(
            edge.url,
            json={"query": "{ doctors { id } }"},
            headers={"origin": "https://app.example"},
        )
        assert allowed.headers["access-control-allow-origin"] == "https://app.example"
        other = await http.post(
            edge.url,
            json={"query": "{ doctors { id } }"},
            headers={"origin": "https://evil.example"},
        )
        assert "access-control-allow-origin" not in other.headers
        denied = await http.options(
            edge.url,
            headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
        )
        assert "access-control-allow-origin" not in denied.headers


async def test_body_size_limit() -> None:
    config = RouterConfig(http=HttpConfig(max_body_bytes=1000))
    async with serve_edge(config) as edge, httpx.AsyncClient() as http:
        padding = " " * 2000
        big = await http.post(edge.url, json={"query": "{ doctors { id } }" + padding})
        assert big.status_code == 413
        assert big.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
        small = await http.post(edge.url, json={"query": "{ doctors { id } }"})
        assert small.status_code == 200
