"""Smoke test of the gateway benchmark: our router gives the oracle's answer to its query."""

from __future__ import annotations

from pathlib import Path

import orjson

from bench import gateways
from bench.synthetic import execute, expected_benchmark_data

__all__: list[str] = []


def test_synthetic_subgraph_resolves_entities_by_representation() -> None:
    body = {
        "query": "query($r: [_Any!]!) { _entities(representations: $r) "
        "{ ... on User { id username } } }",
        "variables": {"r": [{"__typename": "User", "id": "u7"}, {"__typename": "User", "id": "x"}]},
    }
    answer = orjson.loads(execute("accounts", orjson.dumps(body)))
    assert answer == {"data": {"_entities": [{"id": "u7", "username": "user7"}, None]}}


def test_router_answers_the_benchmark_query_like_the_oracle(tmp_path: Path) -> None:
    record = tmp_path / "requests.jsonl"
    subgraphs = gateways.start_subgraphs(tmp_path, record)
    try:
        supergraph = gateways.compose_supergraph(subgraphs.url, tmp_path)
        router = gateways.start_gateway("router", supergraph, tmp_path)
        try:
            routed = gateways.answer_recording(router.url, record)
        finally:
            router.stop()
    finally:
        subgraphs.stop()
    # The plan the critical-path measurement assumes: 5 fetches over 4 levels.
    assert sorted(orjson.loads(line)["subgraph"] for line in routed) == sorted(
        ["products", "reviews", "accounts", "products", "reviews"]
    )
    assert len(orjson.dumps(expected_benchmark_data(gateways.FIRST))) > 50_000
