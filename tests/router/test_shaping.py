"""Response shaping: selections, aliases, fragments by runtime type, skip/include, null propagation."""

from __future__ import annotations

from typing import Any

from graphql import FragmentDefinitionNode, OperationDefinitionNode, build_schema, parse

from router.executor.shaping import ShapingResult, shape_response

SCHEMA = build_schema(
    """
    type Query { me: User items: [Item!] strict: User! count: Int color: Color }
    enum Color { RED GREEN }
    interface Item { id: ID! }
    type User implements Item { id: ID! name: String! nick: String friends: [User!]! }
    type Book implements Item { id: ID! pages: Int }
    """
)


def shape(
    query: str, data: dict[str, Any], variables: dict[str, Any] | None = None
) -> ShapingResult:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return shape_response(SCHEMA, operation, fragments, variables or {}, data, lambda _: None)


def test_removes_fields_the_client_did_not_select_and_applies_aliases() -> None:
    result = shape("{ who: me { nick } }", {"who": {"nick": "a", "id": "1", "__typename": "User"}})
    assert result.data == {"who": {"nick": "a"}}
    assert result.errors == []


def test_fragments_apply_by_runtime_type() -> None:
    data = {
        "items": [
            {"__typename": "User", "id": "1", "nick": "n"},
            {"__typename": "Book", "id": "2", "pages": 3},
        ]
    }
    result = shape(
        "{ items { __typename ...U ... on Book { pages } } } fragment U on User { nick }", data
    )
    assert result.data == {
        "items": [{"__typename": "User", "nick": "n"}, {"__typename": "Book", "pages": 3}]
    }


def test_skip_and_include_use_variables() -> None:
    query = "query ($s: Boolean!) { me { nick @skip(if: $s) id @include(if: $s) } }"
    data = {"me": {"nick": "n", "id": "1"}}
    assert shape(query, data, {"s": True}).data == {"me": {"id": "1"}}
    assert shape(query, data, {"s": False}).data == {"me": {"nick": "n"}}


def test_missing_non_null_field_nulls_the_nearest_nullable_parent() -> None:
    result = shape("{ me { name nick } count }", {"me": {"nick": "x"}, "count": 2})
    assert result.data == {"me": None, "count": 2}
    assert result.errors == [
        {
            "message": "Cannot return null for non-nullable field User.name.",
            "path": ["me", "name"],
            "extensions": {"code": "INVALID_GRAPHQL"},
        }
    ]


def test_null_in_non_null_list_item_nulls_the_list_parent() -> None:
    result = shape("{ me { friends { name } } }", {"me": {"friends": [{"name": "a"}, None]}})
    assert result.data == {"me": None}
    assert result.errors[0]["path"] == ["me", "friends", 1]


def test_null_reaching_a_non_null_root_field_nulls_data() -> None:
    assert shape("{ strict { nick } }", {"strict": None}).data is None


def test_invalid_leaf_values_become_null_with_an_error() -> None:
    result = shape("{ count color }", {"count": "many", "color": "BLUE"})
    assert result.data == {"count": None, "color": None}
    assert [e["path"] for e in result.errors] == [["count"], ["color"]]


def test_typename_at_root_and_on_objects() -> None:
    result = shape("{ __typename t: __typename me { __typename } }", {"me": {"__typename": "User"}})
    assert result.data == {"__typename": "Query", "t": "Query", "me": {"__typename": "User"}}
