"""Executor helpers: response-path trails."""

from __future__ import annotations

from router.executor.merge import entities_on_trails, trail_path


def test_trails_become_the_response_paths() -> None:
    data = {"users": [{"best": {"id": "1"}}, None, {"best": {"id": "2"}}]}
    found = entities_on_trails(data, ("users", "@", "best"))
    assert [trail_path(trail) for _, trail in found] == [["users", 0, "best"], ["users", 2, "best"]]
    assert trail_path(None) == []
