"""Turn a planned group into a `Fetch`: the subgraph operation document and its variables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    ListTypeNode,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    print_ast,
    visit,
)

from router.planner.plan import Fetch

if TYPE_CHECKING:
    from router.planner.groups import Group

__all__ = ["build_fetch"]


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        if node.name.value not in self.names:
            self.names.append(node.name.value)


def _used_variables(selection_set: SelectionSetNode) -> list[str]:
    collector = _Variables()
    visit(selection_set, collector)
    return collector.names


_REPRESENTATIONS = VariableDefinitionNode(
    variable=VariableNode(name=NameNode(value="representations")),
    type=NonNullTypeNode(
        type=ListTypeNode(type=NonNullTypeNode(type=NamedTypeNode(name=NameNode(value="_Any"))))
    ),
    directives=(),
)


def build_fetch(group: Group, operation: OperationDefinitionNode) -> Fetch:
    """Build the subgraph request for `group`, forwarding only the variables it uses."""
    selection = group.selection.to_ast()
    used = set(_used_variables(selection))
    definitions = [d for d in operation.variable_definitions or () if d.variable.name.value in used]
    kind = operation.operation if not group.entity else OperationType.QUERY
    if group.entity:
        selection = SelectionSetNode(
            selections=(
                FieldNode(
                    name=NameNode(value="_entities"),
                    arguments=(
                        ArgumentNode(
                            name=NameNode(value="representations"),
                            value=VariableNode(name=NameNode(value="representations")),
                        ),
                    ),
                    directives=(),
                    selection_set=selection,
                ),
            )
        )
        definitions = [_REPRESENTATIONS, *definitions]
    name = None
    if operation.name is not None:
        name = NameNode(value=f"{operation.name.value}__{group.service}__{group.id}")
    document = DocumentNode(
        definitions=(
            OperationDefinitionNode(
                operation=kind,
                name=name,
                variable_definitions=tuple(definitions),
                directives=(),
                selection_set=selection,
            ),
        )
    )
    return Fetch(
        service=group.service,
        document=document,
        operation=print_ast(document),
        variable_usages=tuple(
            d.variable.name.value for d in definitions if d is not _REPRESENTATIONS
        ),
        requires=group.requires.to_ast() if group.entity else None,
        interface_object_types=tuple(sorted(group.interface_objects.items())),
        id=group.id,
    )
