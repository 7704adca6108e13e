"""Reliability tests: private servers and processes, so faults never reach other tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.infra import TestInfra
from tests.support.stack import SubgraphStack, start_stack


@pytest.fixture(scope="module")
def own_stack(infra: TestInfra) -> Iterator[SubgraphStack]:
    """The five subgraphs on the session database, but servers of this module alone (tests stop
    and restart them)."""
    # Cheap password hashes: these tests sign in and change passwords many times.
    running = start_stack(infra, bcrypt_rounds=4)
    try:
        yield running
    finally:
        running.servers.stop()
