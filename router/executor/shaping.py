"""Shape merged subgraph data into the client's response (Apollo Gateway's `computeResponse`).

Keeps only what the operation selects (aliases, fragments by runtime type, `@skip`/`@include`),
validates leaf values, and propagates nulls per the GraphQL spec. The walk is compiled once per
operation (field lists per runtime type, leaf validators, literal directives resolved) and cached;
only `@skip`/`@include` on variables is decided per request.
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

from router.executor.shape_codegen import Shaper, Unsupported, generate

__all__ = ["ShapingResult", "shape_response"]

Path = list[str | int]
Introspect = Callable[[FieldNode], Any]
# (variable name, True for @skip / False for @include): conditions decided per request.
Conditions = tuple[tuple[str, bool], ...]
_NULL_BUBBLE = object()
_SPECIFIED_SCALARS = (GraphQLInt, GraphQLFloat, GraphQLBoolean, GraphQLID)
_CACHE_SIZE = 512
# Generated shaper variants kept per operation (one per @skip/@include decision combination).
_VARIANTS = 16

# Type node kinds.
_NON_NULL, _LIST, _COMPOSITE, _LEAF = range(4)
# Field kinds.
_PLAIN, _TYPENAME, _INTROSPECTION = range(3)


class ShapingResult:
    __slots__ = ("data", "errors")

    def __init__(self, data: dict[str, Any] | None, errors: list[dict[str, Any]]) -> None:
        self.data = data
        self.errors = errors


class _Type:
    """One level of a field's output type, with what completing a value at that level needs."""

    __slots__ = ("fast", "inner", "kind", "leaf", "parent", "selections", "sub", "type_")

    def __init__(
        self,
        kind: int,
        type_: GraphQLOutputType,
        parent: GraphQLCompositeType,
        selections: bool,
    ) -> None:
        self.kind = kind
        self.type_ = type_
        self.parent = parent  # the type declaring the field (error messages)
        self.selections = selections
        self.inner: _Type | None = None
        self.sub: _Set | None = None
        self.leaf: Callable[[Any], bool] | None = None
        # A value of exactly this Python type is valid without further checks (None: no shortcut).
        self.fast: type | None = None


class _Field:
    __slots__ = ("conditions", "fast", "key", "kind", "name", "node", "nullable", "parent", "type_")

    def __init__(
        self,
        kind: int,
        node: FieldNode,
        parent: GraphQLCompositeType,
        conditions: Conditions,
        type_: _Type | None,
    ) -> None:
        self.kind = kind
        self.node = node
        self.name = node.name.value
        self.key = node.alias.value if node.alias else self.name
        self.parent = parent
        self.conditions = conditions
        self.type_ = type_
        # Leaf shortcut: a nullable or non-null leaf whose value has the expected Python type.
        leaf = type_
        self.nullable = True
        if leaf is not None and leaf.kind == _NON_NULL:
            self.nullable = False
            leaf = leaf.inner
        self.fast = leaf.fast if leaf is not None and leaf.kind == _LEAF else None


class _Set:
    """A selection set on a static parent type; field lists flattened per runtime `__typename`."""

    __slots__ = ("by_typename", "compiler", "parent", "root", "selection_set")

    def __init__(
        self,
        compiler: _Compiler,
        selection_set: SelectionSetNode,
        parent: GraphQLCompositeType,
        root: bool,
    ) -> None:
        self.compiler = compiler
        self.selection_set = selection_set
        self.parent = parent
        self.root = root
        self.by_typename: dict[str | None, tuple[_Field, ...]] = {}

    def fields(self, typename: Any) -> tuple[_Field, ...]:
        key = typename if isinstance(typename, str) else None
        fields = self.by_typename.get(key)
        if fields is None:
            out: list[_Field] = []
            parent = self.parent
            if key is not None and not self.root:
                # Below the root the walk runs on the runtime type (checked by the caller).
                parent = self.compiler.schema.type_map.get(key) or parent  # type: ignore[assignment]
            self.compiler.flatten(self.selection_set, parent, key, self.root, (), out)
            fields = tuple(out)
            if key is None or key in self.compiler.schema.type_map:
                self.by_typename[key] = fields  # unknown typenames are not cached (unbounded)
        return fields


class _Compiler:
    """The compiled shape of one operation over one schema."""

    def __init__(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
    ) -> None:
        self.schema = schema
        self.operation = operation
        self.fragments = fragments
        # Names a subgraph may answer as an object's `__typename` (checked once per object).
        self.composites = frozenset(
            name for name, type_ in schema.type_map.items() if is_composite_type(type_)
        )
        root = schema.get_root_type(operation.operation)
        assert root is not None
        self.root = _Set(self, operation.selection_set, root, root=True)
        # Generated shapers (shape_codegen.py) per combination of @skip/@include variables that
        # are true; None when the operation is left to the interpreter.
        self.condition_variables = _condition_variables(operation, fragments)
        self.generated: dict[tuple[bool, ...], Shaper | None] = {}

    def shaper(self, variables: dict[str, Any]) -> Shaper | None:
        """The generated shaper for these variables' `@skip`/`@include` decisions."""
        decisions = tuple(variables.get(name) is True for name in self.condition_variables)
        try:
            return self.generated[decisions]
        except KeyError:
            pass
        fixed = dict(zip(self.condition_variables, decisions, strict=True))
        shaper: Shaper | None
        try:
            shaper = generate(self, lambda conditions: _skipped(conditions, fixed))
        except Unsupported:
            shaper = None
        if len(self.generated) < _VARIANTS:
            self.generated[decisions] = shaper
        return shaper

    def flatten(  # noqa: PLR0917 - recursive walk state passed explicitly
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLCompositeType,
        typename: str | None,
        root: bool,
        conditions: Conditions,
        out: list[_Field],
    ) -> None:
        for selection in selection_set.selections:
            own = _conditions(selection.directives)
            if own is None:
                continue
            merged = conditions + own if own else conditions
            if isinstance(selection, FieldNode):
                field = self.field(selection, parent, root, merged)
                if field is not None:
                    out.append(field)
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
            if self.applies(condition, typename, parent):
                narrowed = self.schema.type_map.get(condition) if condition else parent
                self.flatten(inner, narrowed or parent, typename, root, merged, out)  # type: ignore[arg-type]

    def applies(
        self, condition: str | None, typename: str | None, parent: GraphQLCompositeType
    ) -> bool:
        if condition is None:
            return True
        condition_type = self.schema.type_map.get(condition)
        if condition_type is None:
            return False
        runtime: GraphQLNamedType | None = parent
        if typename is not None:
            runtime = self.schema.type_map.get(typename)
            if runtime is None:
                return False
        if condition_type is runtime:
            return True
        if isinstance(runtime, GraphQLObjectType) and is_composite_type(condition_type):
            return self.schema.is_sub_type(condition_type, runtime)  # type: ignore[arg-type]
        return False

    def field(
        self, node: FieldNode, parent: GraphQLCompositeType, root: bool, conditions: Conditions
    ) -> _Field | None:
        name = node.name.value
        if root and name in ("__schema", "__type"):
            return _Field(_INTROSPECTION, node, parent, conditions, None)
        if name == "__typename":
            return _Field(_TYPENAME, node, parent, conditions, None)
        assert not isinstance(parent, GraphQLNamedType) or hasattr(parent, "fields")
        definition = parent.fields.get(name)
        if definition is None:
            return None
        type_ = self.type_(definition.type, parent, node.selection_set)
        return _Field(_PLAIN, node, parent, conditions, type_)

    def type_(
        self,
        type_: GraphQLOutputType,
        parent: GraphQLCompositeType,
        selection_set: SelectionSetNode | None,
    ) -> _Type:
        selections = selection_set is not None
        if isinstance(type_, GraphQLNonNull):
            node = _Type(_NON_NULL, type_, parent, selections)
            node.inner = self.type_(type_.of_type, parent, selection_set)
        elif isinstance(type_, GraphQLList):
            node = _Type(_LIST, type_, parent, selections)
            node.inner = self.type_(type_.of_type, parent, selection_set)
        elif is_composite_type(type_):
            node = _Type(_COMPOSITE, type_, parent, selections)
            if selection_set is not None:
                node.sub = _Set(self, selection_set, type_, root=False)  # type: ignore[arg-type]
        else:
            node = _Type(_LEAF, type_, parent, selections)
            node.leaf, node.fast = _leaf_validator(type_)  # type: ignore[arg-type]
        return node


def _condition_variables(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> tuple[str, ...]:
    """Names of the variables used by `@skip`/`@include` anywhere in the operation's document."""
    found: dict[str, None] = {}
    pending = [operation.selection_set, *(f.selection_set for f in fragments.values())]
    while pending:
        selection_set = pending.pop()
        for selection in selection_set.selections:
            for variable, _ in _conditions(selection.directives) or ():
                found[variable] = None
            inner = getattr(selection, "selection_set", None)
            if inner is not None:
                pending.append(inner)
    return tuple(found)


def _conditions(
    directives: tuple[DirectiveNode, ...] | list[DirectiveNode] | None,
) -> Conditions | None:
    """The per-request conditions of a selection, or None when literal directives always skip it."""
    found: list[tuple[str, bool]] = []
    for directive in directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        value: Any = True
        for arg in directive.arguments or ():
            if arg.name.value == "if":
                node = arg.value
                if isinstance(node, VariableNode):
                    found.append((node.name.value, name == "skip"))
                    value = ...
                elif isinstance(node, BooleanValueNode):
                    value = node.value
        if value is ...:
            continue
        if (name == "skip" and value is True) or (name == "include" and value is not True):
            return None
    return tuple(found)


def _skipped(conditions: Conditions, variables: dict[str, Any]) -> bool:
    for variable, is_skip in conditions:
        value = variables.get(variable)
        if (value is True) if is_skip else (value is not True):
            return True
    return False


def _leaf_validator(
    type_: GraphQLScalarType | GraphQLEnumType,
) -> tuple[Callable[[Any], bool], type | None]:
    if isinstance(type_, GraphQLEnumType):
        values = type_.values
        return (lambda value: isinstance(value, str) and value in values), None
    if type_ not in _SPECIFIED_SCALARS and type_.name != "String":
        return (lambda _value: True), object  # custom scalars are opaque to the router
    # Float has no shortcut: a float must also be finite.
    fast = {"String": str, "ID": str, "Int": int, "Float": int, "Boolean": bool}.get(type_.name)
    return (lambda value: _valid_leaf(type_, value)), fast


def _valid_leaf(type_: GraphQLScalarType, value: Any) -> bool:
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


class _Shaper:
    __slots__ = ("composites", "errors", "introspect", "schema", "variables")

    def __init__(
        self, compiled: _Compiler, variables: dict[str, Any], introspect: Introspect
    ) -> None:
        self.schema = compiled.schema
        self.composites = compiled.composites
        self.variables = variables
        self.introspect = introspect
        self.errors: list[dict[str, Any]] = []

    def apply_set(  # noqa: PLR0912 - the hot loop inlines the leaf shortcut
        self, source: dict[str, Any], compiled: _Set, output: dict[str, Any], path: Path
    ) -> object | None:
        variables = self.variables
        typename = source.get("__typename")
        fields = compiled.by_typename.get(typename) if typename.__class__ is str else None
        if fields is None:
            fields = compiled.fields(typename)
        for field in fields:
            if field.conditions and _skipped(field.conditions, variables):
                continue
            key = field.key
            kind = field.kind
            if kind == _PLAIN:
                value = source.get(key)
                if key not in output:
                    fast = field.fast
                    if fast is not None:
                        if value is None:
                            if field.nullable:
                                output[key] = None
                                continue
                        elif fast is object or type(value) is fast:
                            output[key] = value
                            continue
                    has_output = False
                    existing = None
                else:
                    has_output = True
                    existing = output[key]
                path.append(key)
                updated, invalid, _ = self.update(existing, has_output, field.type_, value, path)  # type: ignore[arg-type]
                output[key] = updated
                path.pop()
                if invalid:
                    return _NULL_BUBBLE
            elif kind == _TYPENAME:
                if key in output:
                    continue
                value = source.get(key)
                if value is None and key != "__typename":
                    value = source.get("__typename")
                runtime = self.schema.type_map.get(value) if isinstance(value, str) else None
                runtime = runtime or field.parent
                if not isinstance(runtime, GraphQLObjectType):
                    return _NULL_BUBBLE
                output[key] = runtime.name
            elif key not in output:
                output[key] = self.introspect(field.node)
        return None

    def update(  # noqa: PLR0912 - mirrors Apollo's updateOutputValue, one branch per type kind
        self, output: Any, has_output: bool, node: _Type, value: Any, path: Path
    ) -> tuple[Any, bool, bool]:
        """Return (value, invalid: bubble a null up, had_errors: an error was already reported)."""
        if has_output and (output is None or not node.selections):
            return output, False, False
        kind = node.kind
        if kind == _NON_NULL:
            inner = node.inner
            assert inner is not None
            updated, _, had_errors = self.update(output, has_output, inner, value, path)
            if updated is None:
                if not had_errors:
                    self.error(
                        f"Cannot return null for non-nullable {_describe(path, inner)}.", path
                    )
                return None, True, True
            return updated, False, False
        if value is None:
            return None, False, False
        if kind == _LEAF:
            fast = node.fast
            if fast is object or type(value) is fast or node.leaf(value):  # type: ignore[misc]
                return value, False, False
            self.error(f"Invalid value found for {_describe(path, node)}.", path)
            return None, False, True
        if kind == _LIST:
            if not isinstance(value, list):
                self.error(f"Invalid value found for {_describe(path, node)}.", path)
                return None, False, True
            inner = node.inner
            assert inner is not None
            outputs = output if isinstance(output, list) and len(output) == len(value) else None
            nullify = False
            had_errors = False
            items: list[Any] = []
            append = path.append
            if outputs is None and inner.kind == _COMPOSITE:
                # Common case, first write of a list of nullable objects: skip one call per item.
                for index, item in enumerate(value):
                    if item is None:
                        items.append(None)
                        continue
                    append(index)
                    updated, _, errs = self.object(None, inner, item, path)
                    path.pop()
                    if errs:
                        had_errors = True
                    items.append(updated)
                return items, False, had_errors
            for index, item in enumerate(value):
                append(index)
                updated, invalid, errs = self.update(
                    outputs[index] if outputs is not None else None,
                    outputs is not None,
                    inner,
                    item,
                    path,
                )
                path.pop()
                if invalid:
                    nullify = True
                if errs:
                    had_errors = True
                items.append(updated)
            return (None if nullify else items), False, had_errors
        return self.object(output, node, value, path)

    def object(self, output: Any, node: _Type, value: Any, path: Path) -> tuple[Any, bool, bool]:
        """Complete a non-null composite value (the composite branch of `update`)."""
        sub = node.sub
        if not isinstance(value, dict) or sub is None:
            self.error(f"Invalid value found for {_describe(path, node)}.", path)
            return None, False, True
        typename = value.get("__typename")
        if isinstance(typename, str) and typename not in self.composites:
            self.error(f"Invalid __typename found for object at {_describe(path, node)}.", path)
            return None, False, True
        target = output if isinstance(output, dict) else {}
        if self.apply_set(value, sub, target, path) is _NULL_BUBBLE:
            return None, False, True
        return target, False, False

    def error(self, message: str, path: Path) -> None:
        self.errors.append(
            {"message": message, "path": list(path), "extensions": {"code": "INVALID_GRAPHQL"}}
        )


def _describe(path: Path, node: _Type) -> str:
    last = path[-1]
    if isinstance(last, str):
        return f"field {node.parent.name}.{last}"
    return f"array element of type {node.type_} at index {last}"


_compiled: dict[int, _Compiler] = {}


def _compile(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
) -> _Compiler:
    # Keyed by identity: the document cache hands out the same nodes for the same query text;
    # the entry keeps them alive, so an id is never reused while its entry exists.
    compiled = _compiled.get(id(operation))
    if (
        compiled is not None
        and compiled.operation is operation
        and compiled.schema is schema
        and compiled.fragments is fragments
    ):
        return compiled
    compiled = _Compiler(schema, operation, fragments)
    _compiled.pop(id(operation), None)
    if len(_compiled) >= _CACHE_SIZE:
        del _compiled[next(iter(_compiled))]  # oldest first
    _compiled[id(operation)] = compiled
    return compiled


def shape_response(  # noqa: PLR0917 - recursive walk state passed explicitly
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    data: dict[str, Any],
    introspect: Introspect,
) -> ShapingResult:
    """Return the client's `data` (None when a null reached the root) and value-completion errors."""
    compiled = _compile(schema, operation, fragments)
    generated = compiled.shaper(variables)
    if generated is not None:
        try:
            return ShapingResult(generated(data), [])
        except Exception:  # noqa: BLE001, S110 - any miss: the interpreter below reports it exactly
            pass
    return interpret(compiled, variables, data, introspect)


def interpret(
    compiled: _Compiler, variables: dict[str, Any], data: dict[str, Any], introspect: Introspect
) -> ShapingResult:
    """Shape with the interpreter (the reference the generated shapers must agree with)."""
    shaper = _Shaper(compiled, variables, introspect)
    output: dict[str, Any] = {}
    bubbled = shaper.apply_set(data, compiled.root, output, [])
    return ShapingResult(None if bubbled is _NULL_BUBBLE else output, shaper.errors)
