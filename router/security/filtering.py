"""Remove the fields a caller may not see from an operation, before planning (Apollo Router's way).

Each removed field's response path (`@` for list elements, as Apollo Router prints it) becomes an
`UNAUTHORIZED_FIELD_OR_TYPE` error; the response shaper later answers those fields with null.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
)

from router.security.authn import Caller
from router.security.rules import AccessRules

__all__ = ["FilterResult", "filter_operation"]

Path = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FilterResult:
    """The operation to plan (None: nothing left to run) and the paths that were removed."""

    document: DocumentNode | None
    removed: tuple[Path, ...]

    @property
    def changed(self) -> bool:
        return bool(self.removed)


@dataclass
class _Walk:
    schema: GraphQLSchema
    rules: AccessRules
    caller: Caller
    fragments: dict[str, FragmentDefinitionNode]
    removed: list[Path] = field(default_factory=list)
    kept_fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)

    def allowed_type(self, named: GraphQLNamedType) -> bool:
        requirement = self.rules.of_type(named.name)
        return requirement is None or requirement.allows(self.caller)

    def allowed_field(
        self, parent: GraphQLNamedType, name: str, returns: GraphQLOutputType
    ) -> bool:
        owners = [parent.name]
        if isinstance(parent, GraphQLInterfaceType):
            # A field read through an interface is only as open as its strictest implementation.
            owners += [t.name for t in self.schema.get_possible_types(parent)]
        for owner in owners:
            requirement = self.rules.of_field(owner, name)
            if requirement is not None and not requirement.allows(self.caller):
                return False
        return self.allowed_type(get_named_type(returns))

    def selection_set(
        self, selections: SelectionSetNode, parent: GraphQLNamedType, path: Path
    ) -> SelectionSetNode | None:
        kept: list[SelectionNode] = []
        for selection in selections.selections:
            result = self.selection(selection, parent, path)
            if result is not None:
                kept.append(result)
        return SelectionSetNode(selections=tuple(kept)) if kept else None

    def selection(
        self, selection: SelectionNode, parent: GraphQLNamedType, path: Path
    ) -> SelectionNode | None:
        if isinstance(selection, FieldNode):
            return self.field(selection, parent, path)
        if isinstance(selection, InlineFragmentNode):
            target = parent
            if selection.type_condition is not None:
                found = self.schema.get_type(selection.type_condition.name.value)
                assert found is not None  # the document was validated
                target = found
                if not self.allowed_type(target):
                    self.removed.append(path)
                    return None
            inner = self.selection_set(selection.selection_set, target, path)
            if inner is None:
                return None
            return InlineFragmentNode(
                type_condition=selection.type_condition,
                directives=selection.directives,
                selection_set=inner,
            )
        assert isinstance(selection, FragmentSpreadNode)
        return self.spread(selection, path)

    def spread(self, spread: FragmentSpreadNode, path: Path) -> SelectionNode | None:
        name = spread.name.value
        fragment = self.fragments[name]
        target = self.schema.get_type(fragment.type_condition.name.value)
        assert target is not None
        if not self.allowed_type(target):
            self.removed.append(path)
            return None
        # Filtering depends on the type condition only, so every spread yields the same fragment;
        # walking it at each spread still records each location's removed paths.
        inner = self.selection_set(fragment.selection_set, target, path)
        if inner is None:
            return None
        self.kept_fragments[name] = FragmentDefinitionNode(
            name=fragment.name,
            type_condition=fragment.type_condition,
            directives=fragment.directives,
            variable_definitions=fragment.variable_definitions,
            selection_set=inner,
        )
        return spread

    def field(self, node: FieldNode, parent: GraphQLNamedType, path: Path) -> FieldNode | None:
        name = node.name.value
        if name.startswith("__"):
            return node  # __typename and introspection are never protected
        assert isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
        definition = parent.fields[name]
        key = node.alias.value if node.alias else name
        if not self.allowed_field(parent, name, definition.type):
            self.removed.append((*path, key))
            return None
        if node.selection_set is None:
            return node
        child_path = (*path, key, *_list_steps(definition.type))
        inner = self.selection_set(node.selection_set, get_named_type(definition.type), child_path)
        if inner is None:
            return None  # every subfield was removed (and reported): drop the field too
        return FieldNode(
            alias=node.alias,
            name=node.name,
            arguments=node.arguments,
            directives=node.directives,
            selection_set=inner,
        )


def _list_steps(type_: GraphQLOutputType) -> tuple[str, ...]:
    steps: list[str] = []
    current: object = type_
    while isinstance(current, GraphQLNonNull | GraphQLList):
        if isinstance(current, GraphQLList):
            steps.append("@")
        current = current.of_type
    return tuple(steps)


def filter_operation(
    schema: GraphQLSchema,
    rules: AccessRules,
    caller: Caller,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
) -> FilterResult:
    """The operation without what `caller` may not read (plus the fragments it still uses)."""
    root = schema.get_root_type(operation.operation)
    assert root is not None
    walk = _Walk(schema, rules, caller, fragments)
    inner = walk.selection_set(operation.selection_set, root, ())
    removed = tuple(dict.fromkeys(walk.removed))  # one error per path, first-seen order
    if inner is None:
        return FilterResult(None, removed)
    filtered = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=operation.variable_definitions,
        directives=operation.directives,
        selection_set=inner,
    )
    return FilterResult(
        DocumentNode(definitions=(filtered, *walk.kept_fragments.values())), removed
    )
