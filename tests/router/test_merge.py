"""Executor helpers: finding entities at plan paths, projecting representations, deep merging."""

from __future__ import annotations

from typing import Any

from graphql import build_schema
from hypothesis import given
from hypothesis import strategies as st

from router.executor.merge import deep_merge, entities_at, project
from router.supergraph import parse_field_set

SCHEMA = build_schema(
    """
    type Query { a: Int }
    interface Node { id: ID! }
    type User implements Node { id: ID! name: String }
    type Box implements Node { id: ID! size: Int }
    """
)


def test_entities_at_walks_lists_of_lists_with_paths() -> None:
    data = {"grid": [[{"id": "1"}, None], [{"id": "2"}]], "other": None}
    found = entities_at(data, ("grid", "@", "@"))
    assert found == [({"id": "1"}, ["grid", 0, 0]), ({"id": "2"}, ["grid", 1, 0])]


def test_entities_at_skips_nulls_and_missing_branches() -> None:
    data = {"users": [{"best": {"id": "1"}}, {"best": None}, {}]}
    assert entities_at(data, ("users", "@", "best")) == [({"id": "1"}, ["users", 0, "best"])]
    assert entities_at({"users": None}, ("users", "@")) == []


def _reference(value: Any, path: tuple[str, ...], at: list[Any]) -> list[tuple[Any, list[Any]]]:
    """The walk by its definition, one recursion per step and element."""
    if value is None:
        return []
    if not path:
        if isinstance(value, dict):
            return [(value, at)]
        if isinstance(value, list):  # past the path: the elements
            return [hit for i, item in enumerate(value) for hit in _reference(item, path, [*at, i])]
        return []
    step, rest = path[0], path[1:]
    if isinstance(value, list):  # `@` consumes the step; an unmarked list passes it on
        following = rest if step == "@" else path
        return [
            hit for i, item in enumerate(value) for hit in _reference(item, following, [*at, i])
        ]
    if step == "@" or not isinstance(value, dict) or step not in value:
        return []
    return _reference(value[step], rest, [*at, step])


_KEYS = st.sampled_from(["a", "b"])
_DATA = st.recursive(
    st.none() | st.integers(0, 3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=2),
    max_leaves=12,
)


@given(_DATA, st.lists(st.sampled_from(["a", "b", "@"]), max_size=4))
def test_entities_at_finds_what_the_recursive_definition_finds(data: Any, path: list[str]) -> None:
    assert entities_at(data, tuple(path)) == _reference(data, tuple(path), [])


def test_project_follows_type_conditions_and_nested_keys() -> None:
    requires = parse_field_set(
        "... on User { __typename id loc { x y } } ... on Box { __typename size }"
    )
    user = {"__typename": "User", "id": "1", "name": "n", "loc": {"x": 1, "y": 2, "z": 3}}
    assert project(SCHEMA, user, requires) == {
        "__typename": "User",
        "id": "1",
        "loc": {"x": 1, "y": 2},
    }
    # Interface type conditions match their implementations.
    by_interface = parse_field_set("... on Node { __typename id }")
    assert project(SCHEMA, {"__typename": "Box", "id": "b", "size": 2}, by_interface) == {
        "__typename": "Box",
        "id": "b",
    }


def test_project_gives_up_when_a_required_value_is_missing() -> None:
    requires = parse_field_set("... on User { __typename id name }")
    assert project(SCHEMA, {"__typename": "User", "id": "1"}, requires) is None


def test_deep_merge_objects_and_lists() -> None:
    target = {"a": {"x": 1}, "l": [{"id": 1}, {"id": 2}], "t": "User"}
    deep_merge(target, {"a": {"y": 2}, "l": [{"n": "a"}, {"n": "b"}], "z": None})
    assert target == {
        "a": {"x": 1, "y": 2},
        "l": [{"id": 1, "n": "a"}, {"id": 2, "n": "b"}],
        "t": "User",
        "z": None,
    }


def test_deep_merge_keeps_concrete_typename_over_interface_object_name() -> None:
    target = {"__typename": "Book"}
    deep_merge(target, {"__typename": "Media", "rating": 4}, frozenset({"Media"}))
    assert target == {"__typename": "Book", "rating": 4}
    deep_merge(target, {"__typename": "Movie"}, frozenset({"Media"}))
    assert target["__typename"] == "Movie"
