"""Executor helpers: finding entities at plan paths, projecting representations, deep merging."""

from __future__ import annotations

from graphql import build_schema

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
