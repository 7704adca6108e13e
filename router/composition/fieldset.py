"""Parse `FieldSet` strings (@key, @requires, @provides) and walk them against a subgraph."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from graphql import GraphQLError, parse
from graphql.language import (
    FieldNode,
    InlineFragmentNode,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    TypeNode,
)

from router.composition.model import SubField, Subgraph

__all__ = ["FieldSetProblem", "base_name", "is_list", "parse_field_set", "walk_field_set"]


def base_name(node: TypeNode) -> str:
    while isinstance(node, NonNullTypeNode | ListTypeNode):
        node = node.type
    assert isinstance(node, NamedTypeNode)
    return node.name.value


def is_list(node: TypeNode) -> bool:
    if isinstance(node, NonNullTypeNode):
        node = node.type
    return isinstance(node, ListTypeNode)


@dataclass(frozen=True, slots=True)
class FieldSetProblem:
    """What is wrong with a field set; `kind` selects the error code per directive."""

    kind: str  # syntax | unknown | args | invalid_type | no_selection | leaf_selection | directive
    message: str


@lru_cache(maxsize=4096)
def parse_field_set(text: str) -> SelectionSetNode:
    """Parse a field set; raise `GraphQLError` when it is not a valid selection.

    Cached: the same key/requires strings recur across subgraphs; callers never mutate the AST.
    """
    doc = parse("{" + text + "}", no_location=True)
    op = doc.definitions[0]
    assert isinstance(op, OperationDefinitionNode)
    return op.selection_set


def walk_field_set(
    graph: Subgraph,
    parent: str,
    text: str,
    visit: Callable[[SubField], None] | None = None,
    *,
    include_implementations: bool = True,
) -> FieldSetProblem | None:
    """Call `visit` on each field the set selects (and interface implementations); report problems."""
    try:
        selection = parse_field_set(text)
    except GraphQLError as e:
        return FieldSetProblem("syntax", e.message)
    return _walk(graph, parent, selection, visit, include_implementations)


def _walk(
    graph: Subgraph,
    parent: str,
    selection: SelectionSetNode,
    visit: Callable[[SubField], None] | None,
    include_implementations: bool,
) -> FieldSetProblem | None:
    for sel in selection.selections:
        if sel.directives:
            return FieldSetProblem("directive", "cannot have directive applications")
        if isinstance(sel, InlineFragmentNode):
            condition = sel.type_condition.name.value if sel.type_condition else parent
            if condition not in graph.types:
                return FieldSetProblem("unknown", f'Unknown type "{condition}"')
            problem = _walk(graph, condition, sel.selection_set, visit, include_implementations)
        elif isinstance(sel, FieldNode):
            problem = _walk_field(graph, parent, sel, visit, include_implementations)
        else:
            problem = FieldSetProblem("syntax", "fragment spreads are not allowed in a field set")
        if problem:
            return problem
    return None


def _walk_field(
    graph: Subgraph,
    parent: str,
    sel: FieldNode,
    visit: Callable[[SubField], None] | None,
    include_implementations: bool,
) -> FieldSetProblem | None:
    name = sel.name.value
    if name == "__typename":
        return None
    parent_type = graph.types.get(parent)
    f = parent_type.fields.get(name) if parent_type else None
    if f is None:
        return FieldSetProblem("unknown", f'Cannot query field "{name}" on type "{parent}"')
    if visit:
        visit(f)
        if include_implementations and parent_type and parent_type.kind == "interface":
            for impl in graph.implementations(parent):
                if name in impl.fields:
                    visit(impl.fields[name])
    target = graph.types.get(base_name(f.type))
    composite = target is not None and target.kind in ("object", "interface", "union")
    if sel.selection_set is None:
        if not composite:
            return None
        return FieldSetProblem(
            "no_selection",
            f'Field "{name}" of type "{base_name(f.type)}" must have a selection of subfields. '
            f'Did you mean "{name} {{ ... }}"?',
        )
    if target is None or not composite:
        return FieldSetProblem(
            "leaf_selection",
            f'Field "{name}" must not have a selection since type "{base_name(f.type)}" has '
            "no subfields.",
        )
    return _walk(graph, target.name, sel.selection_set, visit, include_implementations)
