"""Checks of the harness itself: the comparison rules, hand-written answers from Apollo Gateway,
and Apollo Gateway agreeing with a second Apollo Gateway on the corpus."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.federation.corpus import load_corpus
from tests.federation.testbed.scenarios import SCENARIOS
from tests.support.gateway_apollo import launch_apollo_gateway
from tests.support.gateway_candidate import launch_candidate
from tests.support.gateway_diff import (
    GatewayResponse,
    Operation,
    differences,
    post,
    require_running,
)
from tests.support.gateway_pair import GatewayPair
from tests.support.gateway_process import GatewayStartError, RunningGateway, UnavailableGateway


def _response(body: Any, status: int = 200) -> GatewayResponse:
    return GatewayResponse(status, body, "")


def _error(path: list[Any] | None, code: str | None = None, message: str = "m") -> dict[str, Any]:
    error: dict[str, Any] = {"message": message}
    if path is not None:
        error["path"] = path
    if code is not None:
        error["extensions"] = {"code": code}
    return error


class TestDifferences:
    def test_identical_answers_agree(self) -> None:
        body = {"data": {"a": [1, {"b": None}]}, "errors": [_error(["a", 1, "b"], "X")]}
        assert differences(_response(body), _response(body)) == []

    def test_tolerates_messages_locations_error_order_and_top_level_extensions(self) -> None:
        left = {
            "data": {"a": None, "b": None},
            "errors": [_error(["a"], "X", "secret"), _error(["b"], message="one")],
            "extensions": {"valueCompletion": []},
        }
        right = {
            "data": {"a": None, "b": None},
            "errors": [
                {**_error(["b"], message="two"), "locations": [{"line": 1, "column": 2}]},
                _error(["a"], "X", "masked"),
            ],
        }
        assert differences(_response(left), _response(right)) == []

    def test_code_compared_only_where_both_set_one(self) -> None:
        left = {"data": None, "errors": [_error(["a"], "X")]}
        assert (
            differences(_response(left), _response({"data": None, "errors": [_error(["a"])]})) == []
        )
        found = differences(
            _response(left), _response({"data": None, "errors": [_error(["a"], "Y")]})
        )
        assert found == ["extensions.code at ('a',): ['X'] != ['Y']"]

    def test_error_paths_are_a_multiset(self) -> None:
        left = {"data": None, "errors": [_error(["a"]), _error(["a"])]}
        right = {"data": None, "errors": [_error(["a"]), _error(None)]}
        assert differences(_response(left), _response(right)) == [
            "error paths: missing [\"('a',)\"], unexpected ['None']"
        ]

    @pytest.mark.parametrize(
        ("left", "right", "expected"),
        [
            ({"a": 1, "b": 2}, {"b": 2, "a": 1}, "data: field order ['a', 'b'] != ['b', 'a']"),
            ({"a": True}, {"a": 1}, "data.a: true != 1"),
            ({"a": 3}, {"a": 3.5}, "data.a: 3 != 3.5"),
            ({"a": "3"}, {"a": 3}, 'data.a: "3" != 3'),
            ({"a": [1, 2]}, {"a": [1]}, "data.a: list of 2 != list of 1"),
            ({"a": {"b": None}}, {"a": None}, 'data.a: {"b": null} != null'),
        ],
    )
    def test_data_differences(self, left: Any, right: Any, expected: str) -> None:
        assert differences(_response({"data": left}), _response({"data": right})) == [expected]

    def test_numbers_compare_by_value(self) -> None:
        assert differences(_response({"data": {"a": 3}}), _response({"data": {"a": 3.0}})) == []

    def test_400_accepted_for_a_request_error_apollo_answers_with_500(self) -> None:
        body = {"errors": [_error(None, "X")]}
        assert differences(_response(body, 500), _response(body, 400)) == []
        executed = {"data": None, "errors": [_error(None, "X")]}
        assert differences(_response(executed, 500), _response(executed, 400)) == [
            "HTTP status 500 != 400"
        ]

    def test_missing_data_differs_from_null_data_and_status_is_compared(self) -> None:
        found = differences(
            _response({"errors": [_error(None)]}, 400),
            _response({"data": None, "errors": [_error(None)]}),
        )
        assert found == ["HTTP status 400 != 200", "`data` present only in the candidate response"]


# What Apollo Gateway answers over the test-bed, written out by hand: proves the subgraphs and
# composition behave as the scenarios intend, independently of any candidate gateway.
GOLDEN: list[tuple[str, str, dict[str, Any]]] = [
    (
        "demo",
        "{ me { name reviews { body product { name inStock shippingEstimate } } } }",
        {
            "data": {
                "me": {
                    "name": "Ada Lovelace",
                    "reviews": [
                        {
                            "body": "Love it!",
                            "product": {"name": "Table", "inStock": True, "shippingEstimate": 50},
                        },
                        {
                            "body": "Too expensive.",
                            "product": {"name": "Couch", "inStock": False, "shippingEstimate": 0},
                        },
                    ],
                }
            }
        },
    ),
    (
        "keys",
        '{ warehouse(slug: "south") { id skus { title supplier { name mentor { name } } } } }',
        {
            "data": {
                "warehouse": {
                    "id": "w2",
                    "skus": [
                        {
                            "title": "Anvil (US)",
                            "supplier": {"name": "Noah", "mentor": {"name": "Olive"}},
                        }
                    ],
                }
            }
        },
    ),
    (
        "abstract",
        "{ topRated { __typename id title rating } }",
        {
            "data": {
                "topRated": [
                    {"__typename": "Book", "id": "b1", "title": "Dune", "rating": 4.6},
                    {"__typename": "Movie", "id": "m1", "title": "Alien", "rating": 4.4},
                    {"__typename": "Book", "id": "b2", "title": "Emma", "rating": 4.1},
                ]
            }
        },
    ),
    (
        "errors",
        "{ accounts(limit: 3) { id score } }",
        {
            "errors": [_error(["accounts", 1, "score"], "SCORE_UNAVAILABLE")],
            "data": {
                "accounts": [
                    {"id": "1", "score": 10},
                    {"id": "2", "score": None},
                    {"id": "3", "score": 30},
                ]
            },
        },
    ),
    (
        "errors",
        'mutation { resetJournal a: step(label: "a") { seq } b: riskStep(label: "b") { seq } '
        'c: step(label: "c") { seq } }',
        {"data": {"resetJournal": True, "a": {"seq": 1}, "b": {"seq": 2}, "c": {"seq": 3}}},
    ),
]


@pytest.mark.peers
@pytest.mark.parametrize(("scenario", "query", "expected"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_apollo_gives_the_hand_written_answer(
    scenario: str,
    query: str,
    expected: dict[str, Any],
    gateways: dict[str, GatewayPair],
    http_client: httpx.Client,
) -> None:
    apollo = gateways[scenario].apollo
    assert isinstance(apollo, RunningGateway)
    actual = post(http_client, apollo.url, Operation(query))
    assert differences(_response(expected), actual) == [], actual.body


@pytest.fixture(scope="module")
def second_apollo(gateways: dict[str, GatewayPair]) -> Iterator[dict[str, RunningGateway]]:
    # Launch all, then wait: they boot in parallel.
    launching = {name: launch_apollo_gateway(p.supergraph) for name, p in gateways.items()}
    started = {name: pending.wait() for name, pending in launching.items()}
    yield started
    for gateway in started.values():
        gateway.stop()


@pytest.mark.peers
def test_second_apollo_agrees_on_the_whole_corpus(
    gateways: dict[str, GatewayPair],
    second_apollo: dict[str, RunningGateway],
    http_client: httpx.Client,
) -> None:
    """The harness is deterministic: the reference agrees with itself on every corpus case."""
    disagreements = []
    for case in load_corpus():
        apollo = gateways[case.scenario].apollo
        assert isinstance(apollo, RunningGateway)
        first = post(http_client, apollo.url, case.operation)
        second = post(http_client, second_apollo[case.scenario].url, case.operation)
        if found := differences(first, second):
            disagreements.append((case.id, found))
    assert disagreements == []


class TestStartFailures:
    def test_an_unavailable_gateway_fails_the_test_instead_of_skipping(self) -> None:
        with pytest.raises(pytest.fail.Exception, match="not running: it crashed"):
            require_running(UnavailableGateway("router", "it crashed"))

    def test_a_candidate_that_exits_reports_its_output(self, tmp_path: Path) -> None:
        command = f"{sys.executable} -c \"print('no luck {{port}}'); raise SystemExit(3)\""
        pending = launch_candidate(tmp_path / "supergraph.graphql", command)
        with pytest.raises(GatewayStartError, match=r"exited with 3[^$]*\n.*no luck \d+"):
            pending.wait(timeout=30)


class TestTestbedSubgraph:
    """The hand-made subgraphs speak the federation subgraph protocol."""

    def test_service_sdl_is_served_verbatim(self) -> None:
        subgraph = SCENARIOS["demo"].subgraph("reviews")
        result = subgraph.execute("{ _service { sdl } }", None, None)
        assert result == {"data": {"_service": {"sdl": subgraph.sdl}}}

    def test_entities_resolve_per_position_with_errors_in_place(self) -> None:
        subgraph = SCENARIOS["errors"].subgraph("risk")
        query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Account { id } } }"
        reps = [{"__typename": "Account", "id": i} for i in ("1", "5", "6")]
        result = subgraph.execute(query, {"r": reps}, None)
        assert result["data"] == {"_entities": [{"id": "1"}, None, None]}
        assert [e["path"] for e in result["errors"]] == [["_entities", 1]]
        assert result["errors"][0]["extensions"] == {"code": "LOCKED"}

    def test_requires_fields_reach_the_resolver(self) -> None:
        subgraph = SCENARIOS["demo"].subgraph("inventory")
        query = (
            "query($r: [_Any!]!) { _entities(representations: $r) "
            "{ ... on Product { inStock shippingEstimate } } }"
        )
        reps = [{"__typename": "Product", "upc": "3", "price": 54, "weight": 50}]
        result = subgraph.execute(query, {"r": reps}, None)
        assert result == {"data": {"_entities": [{"inStock": True, "shippingEstimate": 25}]}}
