"""Generated shapers agree with the interpreter, value for value, or hand the response back to it."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from graphql import (
    FragmentDefinitionNode,
    OperationDefinitionNode,
    build_schema,
    parse,
)

from router.executor import shape_codegen, shaping
from router.executor.shaping import ShapingResult, _compile, interpret, shape_response

SCHEMA = build_schema(
    """
    scalar JSON
    type Query {
      me: User items: [Item!] maybe: [Item] strict: User! count: Int color: Color
      ratio: Float flags: [[Boolean!]] blob: JSON search: [Result!]!
    }
    enum Color { RED GREEN }
    interface Item { id: ID! }
    type User implements Item { id: ID! name: String! nick: String friends: [User!]! best: User }
    type Book implements Item { id: ID! pages: Int author: User }
    union Result = User | Book
    """
)

QUERIES = [
    "{ me { name nick friends { name best { id } } } count color ratio blob }",
    "{ who: me { n: name nick } c: count }",
    "{ items { __typename id ...U ... on Book { pages author { name } } } } fragment U on User { nick }",
    "{ maybe { id ... on User { name } } }",
    "{ search { __typename ... on User { id name } ... on Book { id pages } } }",
    "{ search { kind: __typename ... on Item { id } } }",
    "{ __typename t: __typename me { __typename } strict { id } }",
    "{ flags me { id ... on User { name } id } }",
    "{ me { id ... on Item { __typename } } }",
    "query ($a: Boolean!, $b: Boolean!) { me { nick @skip(if: $a) id @include(if: $b) best @include(if: $a) { id } } }",
    "{ me { best { id } best { name } } }",
]

DATA: list[dict[str, Any]] = [
    {
        "me": {
            "__typename": "User",
            "id": "1",
            "name": "a",
            "nick": None,
            "friends": [{"name": "b", "best": None}, {"name": "c", "best": {"id": "3"}}],
            "best": {"id": "9", "name": "z"},
        },
        "who": {"n": "a", "nick": "x"},
        "c": 3,
        "count": 2,
        "color": "RED",
        "ratio": 1.5,
        "blob": {"any": [1, "thing"]},
        "items": [
            {"__typename": "User", "id": "1", "nick": "n"},
            {"__typename": "Book", "id": "2", "pages": 3, "author": {"name": "w"}},
        ],
        "maybe": [None, {"__typename": "User", "id": "4", "name": "q"}],
        "search": [
            {"__typename": "Book", "id": "2", "pages": 1, "kind": "Book"},
            {"__typename": "User", "id": "1", "name": "a"},
        ],
        "strict": {"id": "5"},
        "flags": [[True, False], None, []],
    },
    # Values the interpreter must report: every one makes the generated shaper miss.
    {"me": {"name": None, "friends": []}, "count": "many", "color": "BLUE", "ratio": float("inf")},
    {"me": {"__typename": "Book", "name": "a", "friends": []}, "strict": None},
    {"me": {"__typename": "Nope", "name": "a", "friends": [None]}, "items": [None]},
    {"me": "not an object", "items": {"id": "1"}, "flags": [[None]], "search": None},
    {"me": {"name": 1, "friends": [{"name": "b"}], "id": 7}, "count": 2.0, "ratio": 3},
    {"items": [{"id": "1"}], "search": [{"__typename": "Item", "id": "1"}], "maybe": [{"id": 1}]},
    {"me": {"id": True, "name": "a", "friends": "x"}, "count": True, "flags": [[1]]},
    {},
]


def _parts(query: str) -> tuple[OperationDefinitionNode, dict[str, FragmentDefinitionNode]]:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return operation, fragments


def _same(left: ShapingResult, right: ShapingResult) -> None:
    assert repr(left.data) == repr(right.data)  # key order and float/int kinds included
    assert left.errors == right.errors


@pytest.mark.parametrize("query", QUERIES)
def test_generated_shapers_agree_with_the_interpreter(query: str) -> None:
    operation, fragments = _parts(query)
    compiled = _compile(SCHEMA, operation, fragments)
    for data, (a, b) in itertools.product(DATA, itertools.product([True, False], repeat=2)):
        variables = {"a": a, "b": b}
        reference = interpret(compiled, variables, data, lambda _: None)
        _same(
            shape_response(SCHEMA, operation, fragments, variables, data, lambda _: None), reference
        )


def test_error_free_responses_take_the_generated_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_interpreter(*_: Any) -> ShapingResult:
        raise AssertionError("the interpreter ran")

    monkeypatch.setattr(shaping, "interpret", no_interpreter)
    operation, fragments = _parts(QUERIES[0])
    result = shape_response(SCHEMA, operation, fragments, {}, DATA[0], lambda _: None)
    assert result.data is not None
    assert result.data["me"]["friends"] == [
        {"name": "b", "best": None},
        {"name": "c", "best": {"id": "3"}},
    ]


def test_unsupported_operations_use_the_interpreter() -> None:
    for query in ("{ me { best { id } best { name } } }", "{ __schema { queryType { name } } }"):
        operation, fragments = _parts(query)
        assert _compile(SCHEMA, operation, fragments).shaper({}) is None
    operation, fragments = _parts(QUERIES[0])
    assert _compile(SCHEMA, operation, fragments).shaper({}) is not None


def test_kinds_match_the_interpreter() -> None:
    assert (shape_codegen._NON_NULL, shape_codegen._LIST, shape_codegen._COMPOSITE) == (
        shaping._NON_NULL,
        shaping._LIST,
        shaping._COMPOSITE,
    )
    assert (shape_codegen._LEAF, shape_codegen._PLAIN, shape_codegen._TYPENAME) == (
        shaping._LEAF,
        shaping._PLAIN,
        shaping._TYPENAME,
    )
    assert shape_codegen._INTROSPECTION == shaping._INTROSPECTION
