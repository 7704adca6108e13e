"""Known Apollo Gateway bugs: kept out of the differential corpus, checked against the answer
the GraphQL spec requires instead. When Apollo starts answering correctly, the case fails here
as a reminder to move it into `corpus/`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.gateway_candidate import candidate_spec
from tests.support.gateway_diff import (
    GatewayResponse,
    Operation,
    differences,
    post,
    render_report,
    require_running,
)
from tests.support.gateway_pair import GatewayPair

pytestmark = pytest.mark.peers


@dataclass(frozen=True)
class Divergence:
    scenario: str
    operation: Operation
    expected: dict[str, Any]  # what the spec requires
    why: str


# apollographql/federation#3036 (open): an alias equal to an entity's key field name is
# overwritten by the key value Apollo fetched for its own entity jump.
_ALIAS_ON_KEY = "Apollo Gateway overwrites an alias named like a key field (federation#3036)"

DIVERGENCES = [
    Divergence(
        "keys",
        Operation("{ skus { code: title region onHand } }", name="alias_named_like_compound_key"),
        {
            "data": {
                "skus": [
                    {"code": "Anvil (EU)", "region": "EU", "onHand": 7},
                    {"code": "Anvil (US)", "region": "US", "onHand": 0},
                    {"code": "Bolt", "region": "EU", "onHand": 1200},
                    {"code": "Crate", "region": "APAC", "onHand": 35},
                ]
            }
        },
        _ALIAS_ON_KEY,
    ),
    Divergence(
        "demo",
        Operation(
            "{ topProducts { p: price w: weight shippingEstimate upc: name } }",
            name="alias_named_like_key_next_to_requires",
        ),
        {
            "data": {
                "topProducts": [
                    {"p": 899, "w": 100, "shippingEstimate": 50, "upc": "Table"},
                    {"p": 1299, "w": 1000, "shippingEstimate": 0, "upc": "Couch"},
                    {"p": 54, "w": 50, "shippingEstimate": 25, "upc": "Chair"},
                    {"p": 35, "w": 4, "shippingEstimate": 2, "upc": "Lamp"},
                ]
            }
        },
        _ALIAS_ON_KEY,
    ),
]


@pytest.mark.parametrize("case", DIVERGENCES, ids=[d.operation.name for d in DIVERGENCES])
def test_candidate_answers_as_the_spec_requires(
    case: Divergence, gateways: dict[str, GatewayPair], http_client: httpx.Client
) -> None:
    candidate = require_running(gateways[case.scenario].candidate)
    actual = post(http_client, candidate.url, case.operation)
    expected = GatewayResponse(200, case.expected, "")
    if found := differences(expected, actual):
        if candidate_spec() == "apollo":
            pytest.xfail(f"the candidate is Apollo Gateway: {case.why}")
        report = render_report(
            case.operation,
            reference_name="spec",
            reference=expected,
            candidate_name=candidate.name,
            candidate=actual,
            found=found,
        )
        pytest.fail(report, pytrace=False)


@pytest.mark.parametrize("case", DIVERGENCES, ids=[d.operation.name for d in DIVERGENCES])
def test_apollo_still_diverges(
    case: Divergence, gateways: dict[str, GatewayPair], http_client: httpx.Client
) -> None:
    apollo = require_running(gateways[case.scenario].apollo)
    actual = post(http_client, apollo.url, case.operation)
    expected = GatewayResponse(200, case.expected, "")
    assert differences(expected, actual), f"Apollo is fixed ({case.why}): move it to corpus/"
