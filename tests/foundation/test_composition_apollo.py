"""Our five subgraphs compose without error under Apollo's own composition (`@apollo/composition`)."""

from __future__ import annotations

import pytest

from subgraphs.kit.registry import subgraph_sdl
from subgraphs.kit.settings import SERVICE_PORTS, SUBGRAPHS
from tests.support.apollo import SubgraphSpec, compose_with_apollo

pytestmark = pytest.mark.peers


def test_apollo_composes_our_subgraphs() -> None:
    specs = [
        SubgraphSpec(name, f"http://127.0.0.1:{SERVICE_PORTS[name]}/graphql", subgraph_sdl(name))
        for name in SUBGRAPHS
    ]
    supergraph = compose_with_apollo(specs)
    for name in SUBGRAPHS:
        assert f'@join__graph(name: "{name}"' in supergraph
    # Every entity of the design is there, with its owner.
    for entity in ("User", "Admin", "Institution", "Doctor", "Specialty", "Patient"):
        assert f"type {entity}" in supergraph
