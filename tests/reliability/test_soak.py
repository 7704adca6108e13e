"""A bounded soak (bench/soak.py's load, ~30 s): a steady mixed query load through the router
over the five subgraph processes answers every request without error, and the router's memory
does not keep growing. The full run (minutes, 70 % of the maximum) is `bench/soak.py`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.soak import drive, sign_in
from subgraphs.kit.settings import SUBGRAPHS
from tests.reliability.support import launch_subgraph, start_router, supergraph_for
from tests.support.gateway_process import RunningGateway, free_port
from tests.support.infra import TestInfra

SECONDS = 30.0
RATE = 20.0  # requests/s: well under what the loaded 2-core machine sustains
#: RSS may move this much between the first sample after warm-up and the last (caches settle).
RSS_TOLERANCE_MB = 40.0


@pytest.fixture(scope="module")
def soak_stack(
    infra: TestInfra, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, dict[str, int]]]:
    ports = {name: free_port() for name in SUBGRAPHS}
    peers = {name: f"http://127.0.0.1:{port}/graphql" for name, port in ports.items()}
    launching = [launch_subgraph(name, peers, infra, port=ports[name]) for name in SUBGRAPHS]
    running: list[RunningGateway] = []
    try:
        running += [process.wait(90) for process in launching]
        supergraph = supergraph_for(peers, tmp_path_factory.mktemp("soak"))
        running.append(start_router(supergraph, env={"ENVIRONMENT": "production"}))
        pids = {g.name: g.process.pid for g in running if g.process is not None}
        yield running[-1].url, peers["auth"], pids
    finally:
        for gateway in running:
            gateway.stop()
        for process in launching:
            if process.process.poll() is None:
                process.process.kill()
                process.process.wait(10)


def test_steady_load_has_no_errors_and_flat_router_memory(
    soak_stack: tuple[str, str, dict[str, int]], tmp_path: Path
) -> None:
    url, auth_url, pids = soak_stack
    token = sign_in(auth_url)
    soak = asyncio.run(drive(url, token, rate=RATE, seconds=SECONDS, pids=pids))
    print(f"soak: {soak.sent} requests, p50 {soak.percentile(50):.0f} ms, "
          f"p99 {soak.percentile(99):.0f} ms, router RSS +{soak.rss_growth():.1f} MB")  # fmt: skip
    assert soak.errors == []
    assert soak.sent >= RATE * SECONDS * 0.9
    assert soak.rss_growth("router") < RSS_TOLERANCE_MB
