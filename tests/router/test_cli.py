"""The `python -m router` entry point: serving a supergraph file, and `--explain`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.router.planning import compose
from tests.support.gateway_router import start_router

pytestmark = pytest.mark.peers

SUBGRAPHS = (("a", "type Query { hello: String }\n"),)


@pytest.fixture(scope="module")
def supergraph_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("router") / "supergraph.graphql"
    path.write_text(compose(SUBGRAPHS))
    return path


def test_serves_health_and_introspection(supergraph_file: Path) -> None:
    gateway = start_router(supergraph_file)
    try:
        health = httpx.get(gateway.url.removesuffix("/graphql") + "/health", timeout=10)
        answer = httpx.post(gateway.url, json={"query": "{ __typename }"}, timeout=10)
    finally:
        gateway.stop()
    assert health.json() == {"status": "ok"}
    assert answer.json() == {"data": {"__typename": "Query"}}


def test_explain_prints_the_plan(supergraph_file: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "router",
            "--supergraph",
            str(supergraph_file),
            "--explain",
            "{ hello }",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    expected = 'QueryPlan {\n  Fetch(service: "a") {\n    {\n      hello\n    }\n  },\n}'
    assert done.stdout.strip() == expected
