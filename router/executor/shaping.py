"""Shape merged subgraph data into the client's response (Apollo Gateway's `computeResponse`).

Keeps only what the operation selects (aliases, fragments by runtime type, `@skip`/`@include`),
validates leaf values, and propagates nulls per the GraphQL spec.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLCompositeType,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    is_composite_type,
)

__all__ = ["ShapingResult", "shape_response"]

Path = list[str | int]
Introspect = Callable[[FieldNode], Any]
_NULL_BUBBLE = object()
_SPECIFIED_SCALARS = (GraphQLInt, GraphQLFloat, GraphQLBoolean, GraphQLID)


class ShapingResult:
    __slots__ = ("data", "errors")

    def __init__(self, data: dict[str, Any] | None, errors: list[dict[str, Any]]) -> None:
        self.data = data
        self.errors = errors


class _Shaper:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        introspect: Introspect,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.introspect = introspect
        self.errors: list[dict[str, Any]] = []

    def skip(self, directives: tuple[DirectiveNode, ...] | list[DirectiveNode] | None) -> bool:
        for directive in directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            value: Any = True
            for arg in directive.arguments or ():
                if arg.name.value == "if":
                    node = arg.value
                    if isinstance(node, VariableNode):
                        value = self.variables.get(node.name.value)
                    elif isinstance(node, BooleanValueNode):
                        value = node.value
            if (name == "skip" and value is True) or (name == "include" and value is not True):
                return True
        return False

    def applies(self, condition: str | None, typename: Any, parent: GraphQLCompositeType) -> bool:
        if condition is None:
            return True
        condition_type = self.schema.type_map.get(condition)
        if condition_type is None:
            return False
        runtime: GraphQLNamedType | None = parent
        if isinstance(typename, str):
            runtime = self.schema.type_map.get(typename)
            if runtime is None:
                return False
        if condition_type is runtime:
            return True
        if isinstance(runtime, GraphQLObjectType) and is_composite_type(condition_type):
            return self.schema.is_sub_type(condition_type, runtime)  # type: ignore[arg-type]
        return False

    def apply_set(  # noqa: PLR0917 - recursive walk state passed explicitly
        self,
        source: dict[str, Any],
        selection_set: SelectionSetNode,
        output: dict[str, Any],
        path: Path,
        parent: GraphQLCompositeType,
        root: bool = False,
    ) -> object | None:
        for selection in selection_set.selections:
            if self.skip(selection.directives):
                continue
            if isinstance(selection, FieldNode):
                if self.apply_field(source, selection, output, path, parent, root) is _NULL_BUBBLE:
                    return _NULL_BUBBLE
                continue
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is None:
                    continue
                condition: str | None = fragment.type_condition.name.value
                inner = fragment.selection_set
            else:
                assert isinstance(selection, InlineFragmentNode)
                condition = (
                    selection.type_condition.name.value if selection.type_condition else None
                )
                inner = selection.selection_set
            if self.applies(condition, source.get("__typename"), parent):
                narrowed = self.schema.type_map.get(condition) if condition else parent
                if (
                    self.apply_set(source, inner, output, path, narrowed or parent, root)  # type: ignore[arg-type]
                    is _NULL_BUBBLE
                ):
                    return _NULL_BUBBLE
        return None

    def apply_field(  # noqa: PLR0917 - recursive walk state passed explicitly
        self,
        source: dict[str, Any],
        node: FieldNode,
        output: dict[str, Any],
        path: Path,
        parent: GraphQLCompositeType,
        root: bool,
    ) -> object | None:
        name = node.name.value
        key = node.alias.value if node.alias else name
        existing = output.get(key, ...)
        if root and name in ("__schema", "__type"):
            if existing is ...:
                output[key] = self.introspect(node)
            return None
        value = source.get(key)
        if name == "__typename":
            if existing is ...:
                if value is None and key != "__typename":
                    value = source.get("__typename")
                runtime = self.schema.type_map.get(value) if isinstance(value, str) else None
                runtime = runtime or parent
                if not isinstance(runtime, GraphQLObjectType):
                    return _NULL_BUBBLE
                output[key] = runtime.name
            return None
        assert not isinstance(parent, GraphQLNamedType) or hasattr(parent, "fields")
        definition = parent.fields.get(name)
        if definition is None:
            return None
        path.append(key)
        updated, invalid, _ = self.update(
            None if existing is ... else existing,
            existing is not ...,
            definition.type,
            value,
            node.selection_set,
            path,
            parent,
        )
        output[key] = updated
        path.pop()
        return _NULL_BUBBLE if invalid else None

    def describe(self, path: Path, type_: GraphQLOutputType, parent: GraphQLCompositeType) -> str:
        last = path[-1]
        if isinstance(last, str):
            return f"field {parent.name}.{last}"
        return f"array element of type {type_} at index {last}"

    def update(  # noqa: PLR0917, PLR0912 - mirrors Apollo's updateOutputValue, one branch per type kind
        self,
        output: Any,
        has_output: bool,
        type_: GraphQLOutputType,
        value: Any,
        selection_set: SelectionSetNode | None,
        path: Path,
        parent: GraphQLCompositeType,
    ) -> tuple[Any, bool, bool]:
        """Return (value, invalid: bubble a null up, had_errors: an error was already reported)."""
        if has_output and (output is None or selection_set is None):
            return output, False, False
        if isinstance(type_, GraphQLNonNull):
            updated, _, had_errors = self.update(
                output, has_output, type_.of_type, value, selection_set, path, parent
            )
            if updated is None:
                if not had_errors:
                    self.error(
                        f"Cannot return null for non-nullable {self.describe(path, type_.of_type, parent)}.",
                        path,
                    )
                return None, True, True
            return updated, False, False
        if value is None:
            return None, False, False
        if isinstance(type_, GraphQLList):
            if not isinstance(value, list):
                self.error(f"Invalid value found for {self.describe(path, type_, parent)}.", path)
                return None, False, True
            outputs = output if isinstance(output, list) and len(output) == len(value) else None
            nullify = False
            had_errors = False
            items = []
            for index, item in enumerate(value):
                path.append(index)
                updated, invalid, errs = self.update(
                    outputs[index] if outputs is not None else None,
                    outputs is not None,
                    type_.of_type,
                    item,
                    selection_set,
                    path,
                    parent,
                )
                path.pop()
                nullify = nullify or invalid
                had_errors = had_errors or errs
                items.append(updated)
            return (None if nullify else items), False, had_errors
        if is_composite_type(type_):
            if not isinstance(value, dict) or selection_set is None:
                self.error(f"Invalid value found for {self.describe(path, type_, parent)}.", path)
                return None, False, True
            runtime: Any = type_
            typename = value.get("__typename")
            if isinstance(typename, str):
                runtime = self.schema.type_map.get(typename)
                if runtime is None or not is_composite_type(runtime):
                    self.error(
                        f"Invalid __typename found for object at {self.describe(path, type_, parent)}.",
                        path,
                    )
                    return None, False, True
            target = output if isinstance(output, dict) else {}
            bubbled = self.apply_set(value, selection_set, target, path, runtime)
            if bubbled is _NULL_BUBBLE:
                return None, False, True
            return target, False, False
        valid = _valid_leaf(type_, value)  # type: ignore[arg-type]
        if not valid:
            self.error(f"Invalid value found for {self.describe(path, type_, parent)}.", path)
            return None, False, True
        return value, False, False

    def error(self, message: str, path: Path) -> None:
        self.errors.append(
            {"message": message, "path": list(path), "extensions": {"code": "INVALID_GRAPHQL"}}
        )


def _valid_leaf(type_: GraphQLScalarType | GraphQLEnumType, value: Any) -> bool:
    if isinstance(type_, GraphQLEnumType):
        return isinstance(value, str) and value in type_.values
    if type_ not in _SPECIFIED_SCALARS and type_.name != "String":
        return True  # custom scalars are opaque to the router
    if isinstance(value, bool):
        return type_ is GraphQLBoolean or type_.name == "Boolean"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            return False
        if type_.name in ("Int", "ID"):
            return isinstance(value, int) or float(value).is_integer()
        return type_.name == "Float"
    if isinstance(value, str):
        return type_.name not in ("Boolean", "Int", "Float")
    return False


def shape_response(  # noqa: PLR0917 - recursive walk state passed explicitly
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    data: dict[str, Any],
    introspect: Introspect,
) -> ShapingResult:
    """Return the client's `data` (None when a null reached the root) and value-completion errors."""
    root = schema.get_root_type(operation.operation)
    assert root is not None
    shaper = _Shaper(schema, fragments, variables, introspect)
    output: dict[str, Any] = {}
    bubbled = shaper.apply_set(data, operation.selection_set, output, [], root, root=True)
    return ShapingResult(None if bubbled is _NULL_BUBBLE else output, shaper.errors)
