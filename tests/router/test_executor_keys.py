"""Executor helpers: representation identity for dedup, and response-path trails."""

from __future__ import annotations

from router.executor.merge import entities_on_trails, trail_path
from router.executor.run import _identity


def test_identity_ignores_key_order_and_tells_json_types_apart() -> None:
    assert _identity({"__typename": "U", "id": "1"}) == _identity({"id": "1", "__typename": "U"})
    assert _identity({"id": 1}) != _identity({"id": 1.0})
    assert _identity({"id": 1}) != _identity({"id": True})
    assert _identity({"id": "1"}) != _identity({"id": 1})
    assert _identity({"k": {"a": [1, "x"]}}) == _identity({"k": {"a": [1, "x"]}})
    assert _identity({"k": {"a": [1, "x"]}}) != _identity({"k": {"a": ["x", 1]}})
    assert _identity({"k": [1]}) != _identity({"k": {"0": 1}})


def test_trails_become_the_response_paths() -> None:
    data = {"users": [{"best": {"id": "1"}}, None, {"best": {"id": "2"}}]}
    found = entities_on_trails(data, ("users", "@", "best"))
    assert [trail_path(trail) for _, trail in found] == [["users", 0, "best"], ["users", 2, "best"]]
    assert trail_path(None) == []
