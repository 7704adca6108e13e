"""Query plan nodes: `Sequence`, `Parallel`, `Fetch` and `Flatten`, as Apollo's planner names them."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import DocumentNode, SelectionSetNode

__all__ = ["Fetch", "Flatten", "Parallel", "PlanNode", "QueryPlan", "Sequence"]


@dataclass(frozen=True, slots=True)
class Fetch:
    """One request to one subgraph.

    `requires` (entity fetches only) selects, per type condition, the representation fields taken
    from each entity found at the enclosing `Flatten` path; `rewrite_typename` maps concrete type
    names to the `@interfaceObject` name the target graph knows instead.
    """

    service: str
    document: DocumentNode
    operation: str
    variable_usages: tuple[str, ...]
    requires: SelectionSetNode | None = None
    interface_object_types: tuple[tuple[str, str], ...] = ()
    id: int = 0


@dataclass(frozen=True, slots=True)
class Flatten:
    """Run `node` on every object found at `path` (`@` steps into each list element)."""

    path: tuple[str, ...]
    node: Fetch


@dataclass(frozen=True, slots=True)
class Sequence:
    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True, slots=True)
class Parallel:
    nodes: tuple[PlanNode, ...]


PlanNode = Fetch | Flatten | Sequence | Parallel


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """A whole plan; `node` is None when the router answers alone (introspection, `__typename`)."""

    node: PlanNode | None
