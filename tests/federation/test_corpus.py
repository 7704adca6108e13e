"""The hand-written corpus: every case answered alike by Apollo Gateway and the candidate."""

from __future__ import annotations

import httpx
import pytest

from tests.federation.corpus import CorpusCase, load_corpus
from tests.support.gateway_diff import assert_same_answer
from tests.support.gateway_pair import GatewayPair

CASES = load_corpus()

pytestmark = pytest.mark.peers


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_case(
    case: CorpusCase, gateways: dict[str, GatewayPair], http_client: httpx.Client
) -> None:
    pair = gateways[case.scenario]
    assert_same_answer(http_client, pair.apollo, pair.candidate, case.operation)
