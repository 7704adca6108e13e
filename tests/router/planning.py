"""Planner test helpers: compose inline subgraph SDLs with Apollo once, then print plans."""

from __future__ import annotations

import functools
import textwrap

from graphql import parse

from router.planner import QueryPlanner, print_plan
from router.supergraph import Supergraph
from tests.support.apollo import SubgraphSpec, compose_with_apollo

LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", '
    '"@shareable", "@external", "@requires", "@provides", "@override", "@inaccessible", '
    '"@interfaceObject"])\n'
)


@functools.cache
def compose(subgraphs: tuple[tuple[str, str], ...]) -> str:
    specs = [
        SubgraphSpec(name, f"http://{name}.invalid/graphql", LINK + sdl) for name, sdl in subgraphs
    ]
    return compose_with_apollo(specs)


def supergraph(**subgraphs: str) -> Supergraph:
    """Compose `name=sdl` subgraphs (federation v2.3 imports added) into a supergraph model."""
    return Supergraph(compose(tuple(subgraphs.items())))


def plan_text(graph: Supergraph, query: str, operation_name: str | None = None) -> str:
    """The printed plan of `query`, for comparing against an inline snapshot."""
    return print_plan(QueryPlanner(graph).plan(parse(query), operation_name))


def snapshot(text: str) -> str:
    return textwrap.dedent(text).strip("\n")
