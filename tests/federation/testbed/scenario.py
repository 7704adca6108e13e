"""What a test-bed scenario is: a named set of subgraphs plus how to fuzz its API schema."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.federation.testbed.subgraph import Subgraph

__all__ = ["Scenario"]


@dataclass(frozen=True)
class Scenario:
    """Subgraphs composed together into one supergraph, served under `/<name>/<subgraph>`."""

    name: str
    subgraphs: tuple[Subgraph, ...]
    # Strategies producing GraphQL value nodes for the custom scalars used as arguments.
    custom_scalars: Mapping[str, Any] = field(default_factory=dict)
    # Root fields hypothesis may select (None: all); stateful mutations are left out so both
    # gateways see the same answers no matter which of them runs first.
    generated_fields: tuple[str, ...] | None = None

    def subgraph(self, name: str) -> Subgraph:
        return next(s for s in self.subgraphs if s.name == name)

    def by_name(self) -> Mapping[str, Subgraph]:
        return {s.name: s for s in self.subgraphs}
