"""Compose every corpus set with Apollo once per session (one node process for all of them)."""

from __future__ import annotations

import pytest

from tests.composition.corpus import INVALID, VALID, Case
from tests.composition.edges import EDGES
from tests.composition.generated import generated_cases
from tests.composition.generated_mixed import mixed_cases
from tests.composition.mutated import mutated_cases
from tests.composition.project import project_case
from tests.composition.strawberry_sets import strawberry_case
from tests.support.apollo import ApolloCompositionError, SubgraphSpec, compose_many_with_apollo

ApolloResult = str | ApolloCompositionError


def all_cases() -> list[Case]:
    project = project_case()
    extra = [strawberry_case()] + ([project] if project else [])
    return VALID + INVALID + EDGES + generated_cases() + mixed_cases() + mutated_cases() + extra


@pytest.fixture(scope="session")
def apollo_results() -> dict[str, ApolloResult]:
    cases = all_cases()
    results = compose_many_with_apollo([[SubgraphSpec(*s) for s in c.specs] for c in cases])
    return {c.name: r for c, r in zip(cases, results, strict=True)}
