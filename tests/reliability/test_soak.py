"""A bounded soak (bench/soak.py's load, ~30 s): a steady mixed query load through the router
over the five subgraph processes answers every request without error, and the router's memory
does not keep growing. The full run (minutes, 70 % of the maximum) is `bench/soak.py`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.soak import drive, sign_in
from tests.reliability.support import production_stack
from tests.support.infra import TestInfra

SECONDS = 30.0
RATE = 20.0  # requests/s: well under what the loaded 2-core machine sustains
#: RSS may move this much between the first sample after warm-up and the last (caches settle).
RSS_TOLERANCE_MB = 40.0


@pytest.fixture(scope="module")
def soak_stack(
    infra: TestInfra, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, dict[str, int]]]:
    with production_stack(infra, tmp_path_factory.mktemp("soak")) as stack:
        pids = {g.name: g.process.pid for g in stack.running if g.process is not None}
        yield stack.router.url, stack.peers["auth"], pids


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
