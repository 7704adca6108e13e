"""Render a query plan the way Apollo prints one (`QueryPlan { Sequence { Fetch(service: "a") {...} } }`)."""

from __future__ import annotations

from graphql import FieldNode, OperationDefinitionNode, SelectionSetNode, print_ast

from router.planner.plan import Fetch, Flatten, Parallel, PlanNode, QueryPlan, Sequence

__all__ = ["print_plan"]


def _indent(text: str, pad: str) -> str:
    return "\n".join(pad + line if line else line for line in text.splitlines())


def _selection(selection_set: SelectionSetNode) -> str:
    return print_ast(selection_set)


def _fetch(node: Fetch) -> str:
    operation = node.document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    body = _selection(operation.selection_set)
    if node.requires is not None:
        entities = operation.selection_set.selections[0]
        assert isinstance(entities, FieldNode)
        assert entities.selection_set is not None
        inner = _selection(entities.selection_set)
        body = _selection(node.requires) + " =>\n" + inner
    lines = body.splitlines()
    return f'Fetch(service: "{node.service}") {{\n' + _indent("\n".join(lines), "  ") + "\n}"


def _node(node: PlanNode) -> str:
    if isinstance(node, Fetch):
        return _fetch(node)
    if isinstance(node, Flatten):
        path = ".".join(node.path)
        return f'Flatten(path: "{path}") {{\n' + _indent(_node(node.node) + ",", "  ") + "\n}"
    name = "Sequence" if isinstance(node, Sequence) else "Parallel"
    assert isinstance(node, Sequence | Parallel)
    # Like Apollo's serializer, every child node ends with a comma, the last one too.
    inner = "\n".join(_node(child) + "," for child in node.nodes)
    return f"{name} {{\n" + _indent(inner, "  ") + "\n}"


def print_plan(plan: QueryPlan) -> str:
    """Return the plan as text (stable, used by `--explain`, tests and `extensions.queryPlan`)."""
    if plan.node is None:
        return "QueryPlan {}"
    return "QueryPlan {\n" + _indent(_node(plan.node) + ",", "  ") + "\n}"
