"""`python -m router` flags for persisted queries map onto `PersistedQueryConfig`."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from router.edge.cli import (
    edge_arguments,
    http_config,
    limits_config,
    persisted_query_arguments,
    persisted_query_config,
    telemetry_arguments,
    telemetry_config,
)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    persisted_query_arguments(parser)
    edge_arguments(parser)
    telemetry_arguments(parser)
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


def test_http_and_limit_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CORS_ORIGINS", raising=False)
    monkeypatch.delenv("CSRF_PREVENTION", raising=False)
    monkeypatch.setenv("MAX_DEPTH", "9")
    argv = ["--cors-origin", "https://a.test", "--max-cost", "0", "--no-csrf-prevention"]
    args = _parse([*argv, "--breaker-threshold", "3"])
    http = http_config(args)
    assert http.cors_origins == ("https://a.test",)
    assert not http.csrf_prevention
    limits = limits_config(args)
    assert (limits.max_depth, limits.max_cost, limits.max_aliases) == (9, 0, 30)
    assert limits.breaker_threshold == 3


def test_batching_and_telemetry_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ROUTER_BATCHING", "ROUTER_MAX_BATCH_SIZE", "ROUTER_REQUEST_LOG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    default = _parse([])
    assert not http_config(default).batching
    assert http_config(default).json_errors_ok
    assert not http_config(_parse(["--apollo-status-codes"])).json_errors_ok
    telemetry = telemetry_config(default)
    assert telemetry.request_log
    assert telemetry.tracer_provider is None  # no exporter endpoint: tracing off
    args = _parse(["--batching", "--max-batch-size", "4", "--no-request-log"])
    assert (http_config(args).batching, http_config(args).max_batch_size) == (True, 4)
    assert not telemetry_config(args).request_log
    monkeypatch.setenv("ROUTER_BATCHING", "true")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")
    args = _parse([])
    assert http_config(args).batching
    provider = telemetry_config(args).tracer_provider
    assert provider is not None
    provider.shutdown()  # type: ignore[attr-defined]
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert telemetry_config(_parse([])).tracer_provider is None
