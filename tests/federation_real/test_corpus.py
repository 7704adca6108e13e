"""The hand-written corpus, per role: our router answers exactly like Apollo Gateway."""

from __future__ import annotations

import httpx
import pytest

from tests.federation_real.conftest import ROLES
from tests.federation_real.corpus import CORPUS, variables_for
from tests.support.gateway_diff import Operation, assert_same_answer
from tests.support.gateway_pair import GatewayPair

pytestmark = pytest.mark.peers


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(CORPUS))
def test_corpus(
    case: str,
    role: str,
    *,
    real_pair: GatewayPair,
    role_headers: dict[str, dict[str, str]],
    seeded_ids: dict[str, str],
    client: httpx.Client,
) -> None:
    query = CORPUS[case]
    headers = {**role_headers[role], "x-request-id": f"federation-real-{case}-{role}"}
    operation = Operation(query, variables_for(query, seeded_ids), name=f"{case} as {role}",
                          headers=headers)  # fmt: skip
    assert_same_answer(client, real_pair.apollo, real_pair.candidate, operation)


@pytest.mark.parametrize("role", ROLES)
def test_both_gateways_forward_the_callers_token(
    role: str,
    real_pair: GatewayPair,
    role_headers: dict[str, dict[str, str]],
    client: httpx.Client,
) -> None:
    """Not vacuous: each gateway passes the Bearer token on, so `me` is the caller (or null)."""
    operation = Operation("{ me { role } }", headers=role_headers[role])
    answer = assert_same_answer(client, real_pair.apollo, real_pair.candidate, operation)
    expected = None if role == "anonymous" else {"role": role.upper()}
    assert answer.body == {"data": {"me": expected}}


def test_the_corpus_mostly_gets_data_as_admin(
    real_pair: GatewayPair,
    role_headers: dict[str, dict[str, str]],
    seeded_ids: dict[str, str],
    client: httpx.Client,
) -> None:
    """Not vacuous: as admin, most corpus operations answer data without errors."""
    clean = 0
    for query in CORPUS.values():
        operation = Operation(
            query, variables_for(query, seeded_ids), headers=role_headers["admin"]
        )
        body = client.post(real_pair.apollo.url, json=operation.payload(),
                           headers=operation.headers).json()  # fmt: skip
        clean += bool(body.get("data")) and not body.get("errors")
    assert clean >= len(CORPUS) * 3 // 4, f"only {clean} of {len(CORPUS)} answered cleanly"
