"""The API schema (full introspection) is the same through Apollo Gateway and the candidate.

Tolerated: the order of `__schema.types` and `__schema.directives` (the spec leaves it open),
and the built-in parts that come from the GraphQL library rather than the supergraph: the
introspection types (`__Type`, ...; graphql-js and graphql-core differ in descriptions and newer
fields) and the definitions of the spec's directives (compared by name only). Every schema type
must match exactly, field, argument and enum value order included.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import get_introspection_query

from tests.federation.testbed.scenarios import SCENARIOS
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

# graphql-js 16 (Apollo) answers every part of this query, so the candidate must too.
INTROSPECTION = get_introspection_query(
    descriptions=True,
    specified_by_url=True,
    directive_is_repeatable=True,
    input_value_deprecation=True,
)


_BUILT_IN_DIRECTIVES = {"skip", "include", "deprecated", "specifiedBy", "oneOf"}


def _directive(directive: dict[str, Any]) -> dict[str, Any]:
    name = directive.get("name")
    return {"name": name} if name in _BUILT_IN_DIRECTIVES else directive


def _normalized(response: GatewayResponse) -> GatewayResponse:
    body = response.body
    schema: Any = body.get("data", {}).get("__schema") if isinstance(body, dict) else None
    if not isinstance(schema, dict):
        return response
    types = [t for t in schema.get("types") or [] if not str(t.get("name")).startswith("__")]
    directives = [_directive(d) for d in schema.get("directives") or []]
    schema = {
        **schema,
        "types": sorted(types, key=lambda t: str(t.get("name"))),
        "directives": sorted(directives, key=lambda d: str(d.get("name"))),
    }
    return GatewayResponse(response.status, {**body, "data": {"__schema": schema}}, response.text)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_introspection_matches(
    scenario: str, gateways: dict[str, GatewayPair], http_client: httpx.Client
) -> None:
    pair = gateways[scenario]
    apollo, candidate = require_running(pair.apollo), require_running(pair.candidate)
    operation = Operation(INTROSPECTION, operation_name="IntrospectionQuery", name="introspection")
    expected = _normalized(post(http_client, apollo.url, operation))
    actual = _normalized(post(http_client, candidate.url, operation))
    found = differences(expected, actual)
    if found:
        report = render_report(
            operation,
            reference_name=apollo.name,
            reference=expected,
            candidate_name=candidate.name,
            candidate=actual,
            found=found,
        )
        pytest.fail(report, pytrace=False)
