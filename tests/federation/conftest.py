"""Session fixtures: the test-bed subgraphs, one supergraph per scenario, and both gateways.

Everything starts once per session and in parallel: one subgraph server process for all
scenarios, then every Apollo Gateway and candidate gateway at the same time.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.federation.testbed.scenario import Scenario
from tests.federation.testbed.scenarios import SCENARIOS
from tests.support.apollo import SubgraphSpec, compose_with_apollo
from tests.support.gateway_pair import GatewayPair, start_gateway_pairs
from tests.support.gateway_process import launch

_REPO = Path(__file__).resolve().parents[2]
# Composition runs against this placeholder so the cached supergraph does not depend on the
# port of this session's test-bed server; the real base URL is substituted afterwards.
_PLACEHOLDER = "http://testbed.invalid"


@pytest.fixture(scope="session")
def http_client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def testbed_url() -> Iterator[str]:
    """Base URL of the process serving every scenario's subgraphs at /<scenario>/<subgraph>."""
    launching = launch(
        "testbed",
        [sys.executable, "-m", "tests.federation.testbed.server"],
        ready=r"testbed listening on (?P<url>http://\S+)",
        cwd=_REPO,
    )
    server = launching.wait(timeout=60)
    yield server.url
    server.stop()


def _compose(scenario: Scenario, cache: pytest.Cache) -> str:
    specs = [
        SubgraphSpec(s.name, f"{_PLACEHOLDER}/{scenario.name}/{s.name}", s.sdl)
        for s in scenario.subgraphs
    ]
    digest = hashlib.sha256(repr([(s.name, s.url, s.sdl) for s in specs]).encode()).hexdigest()
    key = f"federation/supergraph/{scenario.name}"
    cached = cache.get(key, None)
    if isinstance(cached, dict) and cached.get("digest") == digest:
        return str(cached["sdl"])
    sdl = compose_with_apollo(specs)
    cache.set(key, {"digest": digest, "sdl": sdl})
    return sdl


@pytest.fixture(scope="session")
def supergraphs(
    testbed_url: str, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> dict[str, Path]:
    """Apollo-composed supergraph file per scenario, pointing at this session's test-bed."""
    assert pytestconfig.cache is not None
    folder = tmp_path_factory.mktemp("supergraphs")
    files: dict[str, Path] = {}
    for name, scenario in SCENARIOS.items():
        sdl = _compose(scenario, pytestconfig.cache).replace(_PLACEHOLDER, testbed_url)
        files[name] = folder / f"{name}.graphql"
        files[name].write_text(sdl)
    return files


@pytest.fixture(scope="session")
def gateways(supergraphs: dict[str, Path]) -> Iterator[dict[str, GatewayPair]]:
    """Apollo Gateway and the candidate for every scenario, all booted in parallel."""
    pairs = start_gateway_pairs(supergraphs)
    yield pairs
    for pair in pairs.values():
        pair.stop()
