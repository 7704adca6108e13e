"""Our composition against Apollo's on the corpus: same supergraph, or the same error code."""

from __future__ import annotations

import difflib

import pytest

from router.composition import CompositionError, SubgraphSource, compose
from tests.composition.conftest import ApolloResult
from tests.composition.corpus import INVALID, VALID, Case
from tests.composition.edges import EDGES
from tests.composition.generated import generated_cases
from tests.composition.generated_mixed import mixed_cases
from tests.composition.mutated import mutated_cases
from tests.composition.project import project_case
from tests.composition.strawberry_sets import strawberry_case
from tests.support.apollo import ApolloCompositionError


def _sources(case: Case) -> list[SubgraphSource]:
    return [SubgraphSource(*s) for s in case.specs]


def _assert_same_outcome(case: Case, apollo: ApolloResult) -> None:
    if isinstance(apollo, ApolloCompositionError):
        codes = {e["code"] for e in apollo.errors}
        with pytest.raises(CompositionError) as raised:
            compose(_sources(case))
        assert codes & set(raised.value.codes), (
            f"Apollo reports {sorted(codes)}, we report {raised.value.codes}: {raised.value}"
        )
        return
    ours = compose(_sources(case))
    if ours != apollo:
        diff = "\n".join(
            difflib.unified_diff(
                apollo.splitlines(), ours.splitlines(), "apollo", "ours", lineterm=""
            )
        )
        pytest.fail(f"supergraph differs from Apollo's:\n{diff}")


@pytest.mark.parametrize("case", VALID, ids=lambda c: c.name)
def test_valid_sets_compose_like_apollo(
    case: Case, apollo_results: dict[str, ApolloResult]
) -> None:
    apollo = apollo_results[case.name]
    assert isinstance(apollo, str), f"corpus case is not valid for Apollo: {apollo}"
    _assert_same_outcome(case, apollo)


@pytest.mark.parametrize("case", INVALID, ids=lambda c: c.name)
def test_invalid_sets_fail_with_apollos_code(
    case: Case, apollo_results: dict[str, ApolloResult]
) -> None:
    apollo = apollo_results[case.name]
    assert isinstance(apollo, ApolloCompositionError), "corpus case unexpectedly composes in Apollo"
    assert case.code in {e["code"] for e in apollo.errors}
    with pytest.raises(CompositionError) as raised:
        compose(_sources(case))
    assert case.code in raised.value.codes, str(raised.value)


@pytest.mark.parametrize("case", EDGES, ids=lambda c: c.name)
def test_edge_cases_match_apollo(case: Case, apollo_results: dict[str, ApolloResult]) -> None:
    _assert_same_outcome(case, apollo_results[case.name])


@pytest.mark.parametrize(
    "case", generated_cases() + mixed_cases() + mutated_cases(), ids=lambda c: c.name
)
def test_generated_sets_match_apollo(case: Case, apollo_results: dict[str, ApolloResult]) -> None:
    _assert_same_outcome(case, apollo_results[case.name])


def test_project_subgraphs_compose_like_apollo(apollo_results: dict[str, ApolloResult]) -> None:
    case = project_case()
    if case is None:
        pytest.skip("the project's subgraph schemas are not importable right now")
    apollo = apollo_results[case.name]
    assert isinstance(apollo, str), str(apollo)
    _assert_same_outcome(case, apollo)


def test_strawberry_subgraphs_compose_like_apollo(apollo_results: dict[str, ApolloResult]) -> None:
    case = strawberry_case()
    apollo = apollo_results[case.name]
    assert isinstance(apollo, str), str(apollo)
    _assert_same_outcome(case, apollo)
