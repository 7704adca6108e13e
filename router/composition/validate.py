"""Per-subgraph federation checks (@key, @requires, @provides, @external) and sharing facts."""

from __future__ import annotations

import json

from graphql.language import (
    BooleanValueNode,
    EnumValueNode,
    FloatValueNode,
    IntValueNode,
    ListTypeNode,
    ListValueNode,
    NonNullTypeNode,
    NullValueNode,
    ObjectValueNode,
    StringValueNode,
    TypeNode,
    ValueNode,
    VariableNode,
    print_ast,
)

from router.composition.errors import CompositionIssue
from router.composition.fieldset import FieldSetProblem, base_name, walk_field_set
from router.composition.model import Applied, Key, SubField, Subgraph, SubType, type_str
from router.composition.specs import ACCESS_CONTROL

__all__ = ["validate_subgraph"]

_BUILTIN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})

_KEY_CODES = {
    "args": "KEY_FIELDS_HAS_ARGS",
    "directive": "KEY_DIRECTIVE_IN_FIELDS_ARGS",
}
_REQUIRES_CODES = {"directive": "REQUIRES_DIRECTIVE_IN_FIELDS_ARG"}
_PROVIDES_CODES = {"directive": "PROVIDES_DIRECTIVE_IN_FIELDS_ARG"}
_KIND_NAMES = {"interface": "Interface", "union": "Union"}


def _problem_message(problem: FieldSetProblem) -> str:
    if problem.kind == "unknown":
        return (
            problem.message + " (if the field is defined in another subgraph, you need to add it "
            "to this subgraph with @external)."
        )
    return problem.message


class _Validator:
    def __init__(self, graph: Subgraph) -> None:
        self.g = graph
        self.errors: list[CompositionIssue] = []

    def err(self, code: str, message: str) -> None:
        self.errors.append(CompositionIssue(code, f"[{self.g.name}] {message}"))

    def run(self) -> list[CompositionIssue]:
        self.check_references()
        if not self.errors:
            self.check_implementations()
            self.check_defaults()
            self.check_required_not_deprecated()
            self.check_access_control_placement()
            self.check_interface_objects()
        if self.errors:
            return self.errors
        self.fake_externals()
        for t in list(self.g.types.values()):
            if t.kind in ("object", "interface"):
                self.check_keys(t)
                for f in t.fields.values():
                    if f.requires is not None:
                        self.check_requires(t, f, f.requires)
                    if f.provides is not None:
                        self.check_provides(f, f.provides)
        self.interface_usage()
        self.check_externals()
        return self.errors

    def check_references(self) -> None:
        known = _BUILTIN_SCALARS | self.g.types.keys()
        for t in self.g.types.values():
            refs = [base_name(f.type) for f in t.fields.values()]
            refs += [base_name(a.type) for f in t.fields.values() for a in f.args.values()]
            refs += t.members + t.interfaces
            for r in refs:
                if r not in known:
                    self.err("INVALID_GRAPHQL", f'Unknown type "{r}".')
                    return

    def check_implementations(self) -> None:
        for t in self.g.types.values():
            for itf_name in t.interfaces:
                itf = self.g.types.get(itf_name)
                if itf is None or itf.kind != "interface":
                    self.err(
                        "INVALID_GRAPHQL",
                        f'Type "{t.name}" must only implement Interface types, it cannot implement '
                        f'"{itf_name}".',
                    )
                    continue
                for name in itf.fields:
                    if name not in t.fields:
                        self.err(
                            "INVALID_GRAPHQL",
                            f"Interface field {itf_name}.{name} expected but {t.name} does not "
                            "provide it.",
                        )

    def check_interface_objects(self) -> None:
        for t in self.g.types.values():
            if t.interface_object and not t.keys:
                self.err(
                    "INTERFACE_OBJECT_USAGE_ERROR",
                    "The @interfaceObject directive can only be applied to entity types but type "
                    f'"{t.name}" has no @key in this subgraph.',
                )

    def check_access_control_placement(self) -> None:
        """@authenticated/@requiresScopes/@policy belong on objects: interfaces inherit them."""
        for t in self.g.types.values():
            if t.kind != "interface" and not t.interface_object:
                continue
            targets = [(f'type "{t.name}"', t.directives)]
            targets += [(f'field "{f.coordinate}"', f.directives) for f in t.fields.values()]
            for where, directives in targets:
                for name in dict.fromkeys(a.name for a in directives if a.name in ACCESS_CONTROL):
                    self.err(
                        "AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE",
                        f"Invalid use of @{name} on {where}: @{name} cannot be applied on "
                        "interfaces, interface fields and interface objects",
                    )

    def check_required_not_deprecated(self) -> None:
        for t in self.g.types.values():
            for f in t.fields.values():
                if t.kind == "input" and _required(f.type, f.default, f.directives):
                    self.err(
                        "INVALID_GRAPHQL",
                        f"Required input field {f.coordinate} cannot be deprecated.",
                    )
                for a in f.args.values():
                    if _required(a.type, a.default, a.directives):
                        self.err(
                            "INVALID_GRAPHQL",
                            f"Required argument {f.coordinate}({a.name}:) cannot be deprecated.",
                        )

    def check_defaults(self) -> None:
        for t in self.g.types.values():
            for f in t.fields.values():
                if f.default is not None:
                    self.check_default(f.default, f.type, f"input field {f.coordinate}")
                for a in f.args.values():
                    if a.default is not None:
                        self.check_default(a.default, a.type, f"argument {f.coordinate}({a.name}:)")

    def check_default(self, value: ValueNode, type_: TypeNode, what: str) -> None:
        if not _value_fits(self.g, value, type_):
            self.err(
                "INVALID_GRAPHQL",
                f"Invalid default value (got: {_value_repr(value)}) provided for {what} of type "
                f"{type_str(type_)}.",
            )

    def fake_externals(self) -> None:
        # @external on the key fields of a type extension is historical (Fed 1) noise, not external.
        for t in self.g.types.values():
            for key in t.keys:
                if key.extension or t.extends:

                    def unmark(f: SubField) -> None:
                        # Only field-level @external is "fake": a type-level one still applies.
                        if f.external_on_field:
                            f.external = False

                    walk_field_set(
                        self.g, t.name, key.fields, unmark, include_implementations=False
                    )

    def check_keys(self, t: SubType) -> None:
        for key in t.keys:
            self.check_key(t, key)

    def check_key(self, t: SubType, key: Key) -> None:
        where = f'On type "{t.name}", for @key(fields: "{key.fields}"): '
        invalid: list[str] = []

        with_args: list[str] = []
        missing: list[str] = []

        def visit(f: SubField) -> None:
            f.shareable = True
            self.g.used.add(f.coordinate)
            target = self.g.types.get(base_name(f.type))
            if target is not None and target.kind in _KIND_NAMES:
                invalid.append(f'field "{f.coordinate}" is a {_KIND_NAMES[target.kind]} type')
            if f.args:
                with_args.append(f.coordinate)
            for a in f.args.values():
                if isinstance(a.type, NonNullTypeNode) and a.default is None:
                    missing.append(
                        f'Missing mandatory value for argument "{a.name}" of field '
                        f'"{f.coordinate}" in selection "{key.fields}"'
                    )

        problem = walk_field_set(self.g, t.name, key.fields, visit)
        if missing:
            self.err("KEY_INVALID_FIELDS", where + missing[0])
        elif invalid:
            self.err(
                "KEY_FIELDS_SELECT_INVALID_TYPE",
                where + invalid[0] + " which is not allowed in @key",
            )
        elif with_args:
            self.err(
                "KEY_FIELDS_HAS_ARGS",
                where + f"field {with_args[0]} cannot be included because it has arguments "
                "(fields with argument are not allowed in @key)",
            )
        elif problem:
            code = _KEY_CODES.get(problem.kind, "KEY_INVALID_FIELDS")
            self.err(code, where + _problem_message(problem))

    def check_requires(self, t: SubType, f: SubField, fields: str) -> None:
        where = f'On field "{f.coordinate}", for @requires(fields: "{fields}"): '
        top: list[SubField] = []

        def visit(sel: SubField) -> None:
            self.g.used.add(sel.coordinate)
            if sel.parent == t.name:
                top.append(sel)

        problem = walk_field_set(self.g, t.name, fields, visit)
        if problem:
            code = _REQUIRES_CODES.get(problem.kind, "REQUIRES_INVALID_FIELDS")
            self.err(code, where + _problem_message(problem))
            return
        for sel in top:
            if not sel.external:
                self.err(
                    "REQUIRES_FIELDS_MISSING_EXTERNAL",
                    where + f'field "{sel.coordinate}" should not be part of a @requires since it '
                    "is already provided by this subgraph (it is not marked @external)",
                )

    def check_provides(self, f: SubField, fields: str) -> None:
        where = f'On field "{f.coordinate}", for @provides(fields: "{fields}"): '
        target = self.g.types.get(base_name(f.type))
        if target is None or target.kind not in ("object", "interface", "union"):
            self.err(
                "PROVIDES_ON_NON_OBJECT_FIELD",
                where + f'Invalid @provides directive on field "{f.coordinate}": field has type '
                f'"{type_str(f.type)}" which is not a '
                "Composite Type",
            )
            return
        top: list[SubField] = []

        def visit(sel: SubField) -> None:
            self.g.used.add(sel.coordinate)
            self.g.provided.add(sel.coordinate)
            if sel.parent == target.name or target.kind != "object":
                top.append(sel)

        problem = walk_field_set(self.g, target.name, fields, visit)
        if problem:
            code = _PROVIDES_CODES.get(problem.kind, "PROVIDES_INVALID_FIELDS")
            self.err(code, where + _problem_message(problem))
            return
        for sel in top:
            if not sel.external:
                self.err(
                    "PROVIDES_FIELDS_MISSING_EXTERNAL",
                    where + f'field "{sel.coordinate}" should not be part of a @provides since it '
                    "is already provided by this subgraph (it is not marked @external)",
                )
            else:
                sel.shareable = True

    def interface_usage(self) -> None:
        for itf in self.g.types.values():
            if itf.kind != "interface":
                continue
            impls = self.g.implementations(itf.name)
            for name in itf.fields:
                for impl in impls:
                    if name in impl.fields:
                        self.g.used.add(impl.fields[name].coordinate)
            for key in itf.keys:
                for impl in impls:
                    if impl.kind == "object" and not any(k.fields == key.fields for k in impl.keys):
                        self.err(
                            "INTERFACE_KEY_NOT_ON_IMPLEMENTATION",
                            f'Key @key(fields: "{key.fields}") on interface type "{itf.name}" is '
                            f'missing on implementation type "{impl.name}".',
                        )

    def check_externals(self) -> None:
        for t in self.g.types.values():
            if t.kind not in ("object", "interface"):
                continue
            for f in t.fields.values():
                if not f.external:
                    continue
                if t.kind == "interface":
                    self.err(
                        "EXTERNAL_ON_INTERFACE",
                        f'Interface type field "{f.coordinate}" is marked @external but @external is '
                        "not allowed on interface fields (it is nonsensical).",
                    )
                elif f.coordinate not in self.g.used:
                    self.err(
                        "EXTERNAL_UNUSED",
                        f'Field "{f.coordinate}" is marked @external but is not used in any '
                        "federation directive (@key, @provides, @requires) or to satisfy an "
                        "interface; the field declaration has no use and should be removed (or the "
                        "field should not be @external).",
                    )


_SCALAR_LITERALS: dict[str, tuple[type, ...]] = {
    "Int": (IntValueNode,),
    "Float": (IntValueNode, FloatValueNode),
    "String": (StringValueNode,),
    "Boolean": (BooleanValueNode,),
    "ID": (StringValueNode, IntValueNode),
}


def _value_fits(g: Subgraph, value: ValueNode, type_: TypeNode) -> bool:
    """Whether a literal is a valid value of `type_` (GraphQL input coercion, literals only)."""
    if isinstance(type_, NonNullTypeNode):
        return not isinstance(value, NullValueNode) and _value_fits(g, value, type_.type)
    if isinstance(value, NullValueNode | VariableNode):
        return True
    if isinstance(type_, ListTypeNode):
        items = value.values if isinstance(value, ListValueNode) else (value,)
        return all(_value_fits(g, v, type_.type) for v in items)
    name = base_name(type_)
    if name in _SCALAR_LITERALS:
        return isinstance(value, _SCALAR_LITERALS[name])
    t = g.types.get(name)
    if t is None or t.kind == "scalar":
        return True
    if t.kind == "enum":
        return isinstance(value, EnumValueNode) and value.value in t.values
    if t.kind == "input":
        if not isinstance(value, ObjectValueNode):
            return False
        given = {f.name.value: f.value for f in value.fields}
        if any(n not in t.fields for n in given):
            return False
        return all(
            _value_fits(g, given[n], f.type)
            if n in given
            else not (isinstance(f.type, NonNullTypeNode) and f.default is None)
            for n, f in t.fields.items()
        )
    return False


def _required(type_: TypeNode, default: ValueNode | None, directives: list[Applied]) -> bool:
    """Non-null, no default and @deprecated: GraphQL forbids deprecating what must be given."""
    deprecated = any(d.name == "deprecated" for d in directives)
    return deprecated and isinstance(type_, NonNullTypeNode) and default is None


def _value_repr(value: ValueNode) -> str:
    if isinstance(value, EnumValueNode | StringValueNode):
        return json.dumps(value.value)
    return print_ast(value)


def validate_subgraph(graph: Subgraph) -> list[CompositionIssue]:
    """Check one subgraph's federation directives; fills `used`, `provided` and `shareable`."""
    return _Validator(graph).run()
