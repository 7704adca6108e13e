"""Fetch groups under construction, and small helpers the planner shares."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    FieldNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    InlineFragmentNode,
    SelectionSetNode,
)

from router.planner.selection import SelSet

__all__ = ["Group", "PlanningError", "Provided", "list_depth", "provided_tree", "root_of"]

Provided = dict[str, "Provided"]


class PlanningError(Exception):
    """The operation cannot be planned against this supergraph (a composition gap)."""


@dataclass(eq=False, slots=True)
class Group:
    """A fetch under construction: one subgraph, one merge path."""

    id: int
    service: str
    path: tuple[str, ...]
    parent: Group | None
    selection: SelSet = field(default_factory=SelSet)
    requires: SelSet = field(default_factory=SelSet)
    deps: set[Group] = field(default_factory=set)
    children: dict[tuple[str, tuple[str, ...]], Group] = field(default_factory=dict)
    interface_objects: dict[str, str] = field(default_factory=dict)

    @property
    def entity(self) -> bool:
        return self.parent is not None


def list_depth(type_: GraphQLOutputType) -> int:
    depth = 0
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        if isinstance(type_, GraphQLList):
            depth += 1
        type_ = type_.of_type
    return depth


def provided_tree(selection_set: SelectionSetNode, into: Provided | None = None) -> Provided:
    tree: Provided = {} if into is None else into
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            sub = tree.setdefault(selection.name.value, {})
            if selection.selection_set is not None:
                provided_tree(selection.selection_set, sub)
        elif isinstance(selection, InlineFragmentNode):
            provided_tree(selection.selection_set, tree)
    return tree


def root_of(group: Group) -> Group:
    while group.parent is not None:
        group = group.parent
    return group
