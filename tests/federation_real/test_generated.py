"""Operations drawn by hypothesis-graphql from our composed API schema, as admin and as doctor:
our router answers each exactly like Apollo Gateway."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import strategies as st
from hypothesis_graphql import Mode

from tests.federation.generated import api_schema, draw_operations
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

EXAMPLES_PER_ROLE = 60
INVALID_EXAMPLES = 30
_REPORTED = 3  # full reports shown; the rest are only counted
#: Root fields whose answers change between the two gateways' requests (audit trail, sign-in
#: figures, generation times), so a difference would not be the gateway's.
_VOLATILE = frozenset({"auditEvents", "auditEvent", "authStatistics", "systemStatistics"})
_SCALARS = {
    "DateTime": st.just("2026-01-01T00:00:00+00:00"),
    "Date": st.just("1990-05-17"),
    "Decimal": st.just("120.50"),
}


def _draw(client: httpx.Client, apollo: RunningGateway, count: int, mode: Mode) -> list[str]:
    schema = api_schema(client, apollo.url)
    assert schema.query_type is not None
    fields = tuple(name for name in schema.query_type.fields if name not in _VOLATILE)
    return draw_operations(schema, count=count, fields=fields, custom_scalars=_SCALARS, mode=mode)


def _compare_all(
    client: httpx.Client,
    apollo: RunningGateway,
    candidate: RunningGateway,
    queries: list[str],
    *,
    headers: dict[str, str],
    label: str,
) -> int:
    """Fail with the smallest differing operations; return how many Apollo executed."""
    reports: list[str] = []
    executed = 0
    for index, query in enumerate(queries):
        operation = Operation(query, name=f"{label} #{index}", headers=headers)
        expected = post(client, apollo.url, operation)
        actual = post(client, candidate.url, operation)
        executed += isinstance(expected.body, dict) and expected.body.get("data") is not None
        if found := differences(expected, actual):
            report = render_report(
                operation, reference_name=apollo.name, reference=expected,
                candidate_name=candidate.name, candidate=actual, found=found,
            )  # fmt: skip
            reports.append(report + server_log_tail(candidate, actual))
    if reports:
        shown = sorted(reports, key=len)[:_REPORTED]
        header = f"{len(reports)} of {len(queries)} generated operations differ; smallest:"
        pytest.fail("\n\n".join([header, *shown]), pytrace=False)
    return executed


@pytest.mark.parametrize("role", ["admin", "doctor"])
def test_generated_queries(
    role: str,
    real_pair: GatewayPair,
    role_headers: dict[str, dict[str, str]],
    client: httpx.Client,
) -> None:
    apollo, candidate = require_running(real_pair.apollo), require_running(real_pair.candidate)
    queries = _draw(client, apollo, EXAMPLES_PER_ROLE, Mode.POSITIVE)
    label = f"generated as {role}"
    executed = _compare_all(
        client, apollo, candidate, queries, headers=role_headers[role], label=label
    )
    # Against a vacuous pass; a doctor gets null for admin-only non-null roots, hence a fifth.
    assert executed >= len(queries) // 5, f"only {executed} of {len(queries)} got data"


def test_generated_invalid_queries(
    real_pair: GatewayPair, role_headers: dict[str, dict[str, str]], client: httpx.Client
) -> None:
    """One schema violation each (wrong argument type, missing argument, unknown enum value)."""
    apollo, candidate = require_running(real_pair.apollo), require_running(real_pair.candidate)
    queries = _draw(client, apollo, INVALID_EXAMPLES, Mode.NEGATIVE)
    label = "generated invalid as admin"
    executed = _compare_all(
        client, apollo, candidate, queries, headers=role_headers["admin"], label=label
    )
    # The violations must actually be violations for the reference.
    assert executed <= len(queries) // 5, f"Apollo executed {executed} of {len(queries)}"
