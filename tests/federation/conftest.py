"""Session fixtures: the test-bed subgraphs, one supergraph per scenario, and both gateways.

Everything starts once per session and in parallel: one subgraph server process for all
scenarios, then every Apollo Gateway and candidate gateway at the same time.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.federation.testbed.scenario import Scenario
from tests.federation.testbed.scenarios import SCENARIOS
from tests.support.apollo import SubgraphSpec, compose_with_apollo
from tests.support.gateway_apollo import launch_apollo_gateway
from tests.support.gateway_candidate import PendingGateway, candidate_spec, launch_candidate
from tests.support.gateway_process import (
    GatewayStartError,
    RunningGateway,
    UnavailableGateway,
    launch,
)

_REPO = Path(__file__).resolve().parents[2]
# Composition runs against this placeholder so the cached supergraph does not depend on the
# port of this session's test-bed server; the real base URL is substituted afterwards.
_PLACEHOLDER = "http://testbed.invalid"


@dataclass
class GatewayPair:
    """Apollo Gateway (the reference) and the candidate, both over one scenario's supergraph."""

    scenario: Scenario
    supergraph: Path
    apollo: RunningGateway | UnavailableGateway
    candidate: RunningGateway | UnavailableGateway


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


def _settle(pending: PendingGateway, name: str) -> RunningGateway | UnavailableGateway:
    try:
        return pending.wait(timeout=90)
    except (GatewayStartError, OSError) as error:
        return UnavailableGateway(name, str(error))


@pytest.fixture(scope="session")
def gateways(supergraphs: dict[str, Path]) -> Iterator[dict[str, GatewayPair]]:
    """Both gateways for every scenario; a candidate that fails to start is kept as unavailable
    so that each differential test fails with its start-up log instead of being skipped."""
    spec = candidate_spec()
    pending: dict[str, tuple[PendingGateway, PendingGateway | Exception]] = {}
    for name, path in supergraphs.items():
        apollo = launch_apollo_gateway(path, name="apollo")
        candidate: PendingGateway | Exception
        try:
            candidate = launch_candidate(path, spec)
        except (GatewayStartError, OSError) as error:
            candidate = error
        pending[name] = (apollo, candidate)
    pairs: dict[str, GatewayPair] = {}
    for name, (reference, other) in pending.items():
        settled = (
            UnavailableGateway(spec, str(other))
            if isinstance(other, Exception)
            else _settle(other, spec)
        )
        pairs[name] = GatewayPair(
            SCENARIOS[name], supergraphs[name], _settle(reference, "apollo"), settled
        )
    try:
        for pair in pairs.values():
            if isinstance(pair.apollo, UnavailableGateway):
                # The reference must work: without it no comparison means anything.
                raise GatewayStartError(pair.apollo.reason)
        yield pairs
    finally:
        for pair in pairs.values():
            pair.apollo.stop()
            pair.candidate.stop()
