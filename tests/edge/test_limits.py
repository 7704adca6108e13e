"""Every operation limit rejects with its own code before any subgraph is called."""

from __future__ import annotations

import httpx
import pytest
from graphql import OperationType, build_schema, parse

from router.config import RouterConfig
from router.edge import LimitsConfig
from router.edge.limits import count_tokens, measure
from tests.edge.conftest import serve_edge

TIGHT = LimitsConfig(
    max_tokens=60, max_depth=3, max_aliases=2, max_root_fields=3, max_cost=50, default_list_size=20
)


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize(
    ("query", "code"),
    [
        (
            "{ " + " ".join(f"a{i}: doctors {{ id }}" for i in range(12)) + " }",
            "MAX_TOKENS_EXCEEDED",
        ),
        (
            "{ doctors { id } d: doctor(id: 1) { id } e: doctor(id: 2) { id } f: doctor(id: 3) { id } }",
            "MAX_ALIASES_EXCEEDED",
        ),
        (
            "{ doctors { id } doctor(id: 1) { id } __typename x: __typename }",
            "MAX_ROOT_FIELDS_EXCEEDED",
        ),
        ("{ doctors(first: 100) { id name patients } }", "COST_ESTIMATED_TOO_EXPENSIVE"),
    ],
)
async def test_limits_reject_before_subgraphs(query: str, code: str) -> None:
    async with serve_edge(RouterConfig(limits=TIGHT)) as edge, httpx.AsyncClient() as http:
        response = await http.post(edge.url, json={"query": query})
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == code
        assert edge.behaviours["doctors"].seen_bodies == []
        ok = await http.post(edge.url, json={"query": "{ doctors(first: 2) { id } }"})
        assert ok.status_code == 200
        assert "errors" not in ok.json()


SCHEMA = build_schema(
    """
    type Query { node: Node items(first: Int): [Node] big: [Node] @listSize(assumedSize: 5)
                 pricey: Node @cost(weight: 7) }
    type Node { id: ID child: Node children: [Node] }
    directive @listSize(assumedSize: Int) on FIELD_DEFINITION
    directive @cost(weight: Int!) on FIELD_DEFINITION
    """
)


def _measure(query: str, variables: dict[str, object] | None = None) -> tuple[int, int, int, float]:
    document = parse(query)
    operation = document.definitions[-1]
    fragments = {d.name.value: d for d in document.definitions[:-1]}  # type: ignore[attr-defined]
    m = measure(
        SCHEMA,
        OperationType.QUERY,
        operation.selection_set,  # type: ignore[attr-defined]
        fragments=fragments,  # type: ignore[arg-type]
        variables=variables or {},
        default_list_size=10,
    )
    return m.depth, m.aliases, m.root_fields, m.cost


def test_measure_depth_aliases_and_cost() -> None:
    assert _measure("{ node { child { child { id } } } }") == (4, 0, 1, 3.0)
    assert _measure("{ a: node { id } b: node { id } }") == (2, 2, 2, 2.0)
    # A list multiplies what is under it: slicing argument, variable, @listSize, default.
    assert _measure("{ items(first: 3) { child { id } } }")[3] == 3 * (1 + 1)
    assert _measure("query($n: Int) { items(first: $n) { child { id } } }", {"n": 4})[3] == 8
    assert _measure("{ big { child { id } } }")[3] == 5 * 2
    assert _measure("{ node { children { child { id } } } }")[3] == 1 + 10 * 2
    assert _measure("{ pricey { id } }")[3] == 7
    # Fragments count where they are spread (measured once, memoised).
    fragment = "fragment F on Node { child { child { id } } }\n{ node { ...F } }"
    assert _measure(fragment)[0] == 4


def test_token_count_stops_early() -> None:
    assert count_tokens("{ a b c }", 100) == 5
    assert count_tokens("{ " + "a " * 10_000 + "}", 50) == 51
