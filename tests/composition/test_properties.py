"""Property tests (hypothesis): whatever the generated subgraph set, composition either fails with
coded issues or returns a supergraph that is valid GraphQL and mentions every subgraph."""

from __future__ import annotations

from graphql import build_ast_schema, parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from router.composition import CompositionError, SubgraphSource, compose
from tests.composition.generated import generate


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32))
def test_composition_is_total_and_output_is_valid(seed: int) -> None:
    case = generate(seed)
    sources = [SubgraphSource(*s) for s in case.specs]
    try:
        sdl = compose(sources)
    except CompositionError as e:
        issues = e.errors
    else:
        issues = []
    if issues:
        assert all(i.code.isupper() for i in issues)
        assert all(i.message for i in issues)
        return
    build_ast_schema(parse(sdl))
    for name, _ in case.subgraphs:
        assert f'@join__graph(name: "{name}"' in sdl
    # Composing is deterministic and independent of the input order.
    assert compose(list(reversed(sources))) == sdl
