"""Apollo Federation 2 composition: subgraph SDLs in, a standard supergraph SDL out."""

from __future__ import annotations

from collections.abc import Sequence

from graphql import build_ast_schema, parse, validate_schema

from router.composition.errors import CompositionError, CompositionIssue
from router.composition.fetch import fetch_sdl
from router.composition.merge import merge_subgraphs
from router.composition.printer import print_supergraph
from router.composition.satisfiability import check_satisfiability
from router.composition.subgraph import SubgraphSource, parse_subgraph
from router.composition.validate import validate_subgraph

__all__ = ["CompositionError", "CompositionIssue", "SubgraphSource", "compose", "fetch_sdl"]


def compose(subgraphs: Sequence[SubgraphSource]) -> str:
    """Compose Federation 2 subgraphs into a supergraph SDL (Apollo's format and ordering).

    Raises `CompositionError` listing every issue (with Apollo's error codes) when they do not compose.
    """
    if not subgraphs:
        raise CompositionError([CompositionIssue("NO_QUERIES", "No subgraphs to compose.")])
    names = [s.name for s in subgraphs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CompositionError(
            [CompositionIssue("INVALID_SUBGRAPH_NAME", f"Duplicate subgraph names: {duplicates}")]
        )
    errors: list[CompositionIssue] = []
    graphs = []
    # Apollo orders subgraphs by name (code points) before composing; so must we for equal output.
    for source in sorted(subgraphs, key=lambda s: s.name):
        try:
            graph = parse_subgraph(source)
        except CompositionError as e:
            errors.extend(e.errors)
            continue
        errors.extend(validate_subgraph(graph))
        graphs.append(graph)
    if errors:
        raise CompositionError(errors)
    supergraph, errors = merge_subgraphs(graphs)
    if supergraph is None:
        raise CompositionError(errors)
    errors = check_satisfiability(graphs, supergraph)
    if errors:
        raise CompositionError(errors)
    sdl = print_supergraph(supergraph)
    # Like Apollo's final `merged.validate()`: e.g. a field widened to nullable by merging may no
    # longer satisfy the non-null type its interface requires.
    invalid = validate_schema(build_ast_schema(parse(sdl, no_location=True), assume_valid_sdl=True))
    if invalid:
        raise CompositionError([CompositionIssue("INVALID_GRAPHQL", e.message) for e in invalid])
    return sdl
