"""A mutable, merging selection-set builder the planner fills, then freezes into graphql-core AST."""

from __future__ import annotations

from collections.abc import Sequence

from graphql import (
    DirectiveNode,
    FieldNode,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    SelectionNode,
    SelectionSetNode,
    print_ast,
)

__all__ = ["FieldSel", "FragSel", "SelSet", "add_selection_set", "field_node", "response_key"]


def response_key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def field_node(name: str) -> FieldNode:
    return FieldNode(name=NameNode(value=name), arguments=(), directives=())


def _directives_key(directives: Sequence[DirectiveNode] | None) -> str:
    return " ".join(print_ast(d) for d in directives or ())


class FieldSel:
    """One field in a fetch: the client's node (without its selections) and what it selects."""

    __slots__ = ("node", "sub")

    def __init__(self, node: FieldNode, composite: bool) -> None:
        self.node = FieldNode(
            alias=node.alias,
            name=node.name,
            arguments=node.arguments or (),
            directives=node.directives or (),
        )
        self.sub: SelSet | None = SelSet() if composite else None

    def to_ast(self) -> FieldNode:
        if self.sub is None:
            return self.node
        return FieldNode(
            alias=self.node.alias,
            name=self.node.name,
            arguments=self.node.arguments,
            directives=self.node.directives,
            selection_set=self.sub.to_ast(),
        )


class FragSel:
    """An inline fragment in a fetch (`... on T @include(if: $x) { ... }`)."""

    __slots__ = ("directives", "sub", "type_condition")

    def __init__(self, type_condition: str | None, directives: tuple[DirectiveNode, ...]) -> None:
        self.type_condition = type_condition
        self.directives = directives
        self.sub = SelSet()

    def to_ast(self) -> InlineFragmentNode:
        return InlineFragmentNode(
            type_condition=NamedTypeNode(name=NameNode(value=self.type_condition))
            if self.type_condition
            else None,
            directives=self.directives,
            selection_set=self.sub.to_ast(),
        )


class SelSet:
    """Selections keyed so that the same field or fragment added twice merges into one."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: dict[tuple[str, str, str], FieldSel | FragSel] = {}

    def field(self, node: FieldNode, composite: bool | None = None) -> FieldSel:
        key = ("f", response_key(node), _directives_key(node.directives))
        existing = self.items.get(key)
        if isinstance(existing, FieldSel):
            if existing.sub is None and (composite or node.selection_set is not None):
                existing.sub = SelSet()
            return existing
        created = FieldSel(node, node.selection_set is not None if composite is None else composite)
        self.items[key] = created
        return created

    def fragment(
        self, type_condition: str | None, directives: Sequence[DirectiveNode] = ()
    ) -> FragSel:
        key = ("i", type_condition or "", _directives_key(directives))
        existing = self.items.get(key)
        if isinstance(existing, FragSel):
            return existing
        created = FragSel(type_condition, tuple(directives))
        self.items[key] = created
        return created

    def typename(self) -> None:
        self.field(field_node("__typename"), composite=False)

    def __bool__(self) -> bool:
        return bool(self.items)

    def to_ast(self) -> SelectionSetNode:
        return SelectionSetNode(selections=tuple(item.to_ast() for item in self.items.values()))


def add_selection_set(target: SelSet, selection_set: SelectionSetNode) -> None:
    """Merge a plain selection set (fields and inline fragments, e.g. a key) into `target`."""
    for selection in selection_set.selections:
        _add(target, selection)


def _add(target: SelSet, selection: SelectionNode) -> None:
    if isinstance(selection, FieldNode):
        added = target.field(selection)
        if selection.selection_set is not None and added.sub is not None:
            add_selection_set(added.sub, selection.selection_set)
    elif isinstance(selection, InlineFragmentNode):
        condition = selection.type_condition.name.value if selection.type_condition else None
        fragment = target.fragment(condition, selection.directives or ())
        add_selection_set(fragment.sub, selection.selection_set)
