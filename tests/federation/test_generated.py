"""Fuzzed operations from each scenario's API schema, answered alike by both gateways: ~100 valid
ones per scenario, and a smaller batch with exactly one schema violation each."""

from __future__ import annotations

import httpx
import pytest
from hypothesis_graphql import Mode

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
from tests.support.gateway_process import RunningGateway

pytestmark = pytest.mark.peers

EXAMPLES_PER_SCENARIO = 100
INVALID_EXAMPLES_PER_SCENARIO = 30
_REPORTED = 3  # full reports shown; the rest are only counted


def _compare_all(
    client: httpx.Client,
    apollo: RunningGateway,
    candidate: RunningGateway,
    queries: list[str],
    label: str,
) -> tuple[list[str], int]:
    """Reports of every operation answered differently, and how many Apollo executed."""
    reports: list[str] = []
    executed = 0
    for index, query in enumerate(queries):
        operation = Operation(query, name=f"{label} #{index}")
        expected = post(client, apollo.url, operation)
        actual = post(client, candidate.url, operation)
        executed += isinstance(expected.body, dict) and expected.body.get("data") is not None
        if found := differences(expected, actual):
            report = render_report(
                operation,
                reference_name=apollo.name,
                reference=expected,
                candidate_name=candidate.name,
                candidate=actual,
                found=found,
            )
            reports.append(report + server_log_tail(candidate, actual))
    return reports, executed


def _fail_with(reports: list[str], total: int) -> None:
    if reports:
        # Shortest first: the smallest failing operation is usually the clearest.
        shown = sorted(reports, key=len)[:_REPORTED]
        header = f"{len(reports)} of {total} generated operations differ; smallest:"
        pytest.fail("\n\n".join([header, *shown]), pytrace=False)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_generated_operations(
    scenario: str, gateways: dict[str, GatewayPair], http_client: httpx.Client
) -> None:
    pair = gateways[scenario]
    apollo, candidate = require_running(pair.apollo), require_running(pair.candidate)
    spec = SCENARIOS[scenario]
    queries = draw_operations(
        api_schema(http_client, apollo.url),
        count=EXAMPLES_PER_SCENARIO,
        fields=spec.generated_fields,
        custom_scalars=spec.custom_scalars,
    )
    reports, executed = _compare_all(
        http_client, apollo, candidate, queries, f"{scenario} generated"
    )
    # Guards against a vacuous pass, e.g. both gateways failing alike to reach the subgraphs.
    assert executed >= len(queries) // 5, f"only {executed} of {len(queries)} got data"
    _fail_with(reports, len(queries))


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_generated_invalid_operations(
    scenario: str, gateways: dict[str, GatewayPair], http_client: httpx.Client
) -> None:
    pair = gateways[scenario]
    apollo, candidate = require_running(pair.apollo), require_running(pair.candidate)
    spec = SCENARIOS[scenario]
    queries = draw_operations(
        api_schema(http_client, apollo.url),
        count=INVALID_EXAMPLES_PER_SCENARIO,
        fields=spec.generated_fields,
        custom_scalars=spec.custom_scalars,
        mode=Mode.NEGATIVE,
    )
    reports, executed = _compare_all(
        http_client, apollo, candidate, queries, f"{scenario} generated invalid"
    )
    # The violations must actually be violations for the reference.
    assert executed <= len(queries) // 5, f"Apollo executed {executed} of {len(queries)}"
    _fail_with(reports, len(queries))
