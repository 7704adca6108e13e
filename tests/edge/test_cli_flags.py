"""`python -m router` flags for persisted queries map onto `PersistedQueryConfig`."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from router.edge.cli import persisted_query_arguments, persisted_query_config


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    persisted_query_arguments(parser)
    return parser.parse_args(argv)


def test_defaults_and_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("APQ_DISABLED", "APQ_REDIS_URL", "REDIS_URL", "PQ_SAFELIST", "PQ_MANIFESTS"):
        monkeypatch.delenv(name, raising=False)
    default = persisted_query_config(_parse([]))
    assert (default.apq, default.redis_url, default.manifests, default.safelist) == (
        True,
        None,
        None,
        False,
    )
    argv = ["--apq-redis-url", "redis://r:6379/0", "--pq-manifest", "a.json", "--pq-safelist"]
    config = persisted_query_config(_parse(argv))
    assert config.redis_url == "redis://r:6379/0"
    assert config.manifests == (Path("a.json"),)
    assert config.safelist
