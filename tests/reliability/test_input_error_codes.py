"""Bad variable values are the caller's mistake: BAD_USER_INPUT with graphql-core's message, never
a masked INTERNAL_SERVER_ERROR (strawberry raises a KeyError for an unknown enum value)."""

from __future__ import annotations

import httpx
import pytest

from tests.support.stack import SubgraphStack

CASES = [
    ("doctors", "mutation($d: LicenseDecision!) { reviewDoctorLicense(id: \"x\", decision: $d) { id } }",
     {"d": "MAYBE"}),
    ("institutions", "mutation($i: CreateInstitutionInput!) { createInstitution(input: $i) { id } }",
     {"i": {"name": "N", "institutionType": "CLINIC", "contactEmail": "a@b.c", "password": "p",
            "licenseNumber": "L"}}),
    ("patients", "query($g: [Gender!]) { patients(filter: {genders: $g}) { edges { node { id } } } }",
     {"g": ["NOPE"]}),
    ("doctors", "query($n: Int!) { doctors(first: $n) { totalCount } }", {"n": "many"}),
]  # fmt: skip


@pytest.mark.parametrize(("subgraph", "query", "variables"), CASES)
def test_invalid_variable_values_are_bad_user_input(
    own_stack: SubgraphStack, subgraph: str, query: str, variables: dict[str, object]
) -> None:
    body = httpx.post(own_stack.url(subgraph), json={"query": query, "variables": variables},
                      timeout=30).json()  # fmt: skip
    assert body.get("data") is None
    codes = {e["extensions"]["code"] for e in body["errors"]}
    assert codes == {"BAD_USER_INPUT"}, body
    assert body["errors"][0]["message"].startswith("Variable '$")
