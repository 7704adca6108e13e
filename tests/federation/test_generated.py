"""Fuzzed operations: ~100 per scenario from its API schema, answered alike by both gateways."""

from __future__ import annotations

import httpx
import pytest

from tests.federation.generated import api_schema, draw_operations
from tests.federation.testbed.scenarios import SCENARIOS
from tests.support.gateway_diff import (
    Operation,
    differences,
    post,
    render_report,
    require_running,
    server_log_tail,
)
from tests.support.gateway_pair import GatewayPair

pytestmark = pytest.mark.peers

EXAMPLES_PER_SCENARIO = 100
_REPORTED = 3  # full reports shown; the rest are only counted


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_generated_operations(
    scenario: str, gateways: dict[str, GatewayPair], http_client: httpx.Client
) -> None:
    pair = gateways[scenario]
    apollo, candidate = require_running(pair.apollo), require_running(pair.candidate)
    spec = SCENARIOS[scenario]
    schema = api_schema(http_client, apollo.url)
    queries = draw_operations(
        schema,
        count=EXAMPLES_PER_SCENARIO,
        fields=spec.generated_fields,
        custom_scalars=spec.custom_scalars,
    )
    reports: list[str] = []
    answered = 0
    for index, query in enumerate(queries):
        operation = Operation(query, name=f"{scenario} generated #{index}")
        expected = post(http_client, apollo.url, operation)
        actual = post(http_client, candidate.url, operation)
        answered += isinstance(expected.body, dict) and expected.body.get("data") is not None
        found = differences(expected, actual)
        if found:
            reports.append(
                render_report(
                    operation,
                    reference_name=apollo.name,
                    reference=expected,
                    candidate_name=candidate.name,
                    candidate=actual,
                    found=found,
                )
                + server_log_tail(candidate, actual)
            )
    # Guards against a vacuous pass, e.g. both gateways failing alike to reach the subgraphs.
    assert answered >= len(queries) // 5, f"only {answered} of {len(queries)} got data"
    if reports:
        # Shortest first: the smallest failing operation is usually the clearest.
        shown = sorted(reports, key=len)[:_REPORTED]
        header = f"{len(reports)} of {len(queries)} generated operations differ; smallest:"
        pytest.fail("\n\n".join([header, *shown]), pytrace=False)
