"""Per-subgraph federation checks (@key, @requires, @provides, @external) and sharing facts."""

from __future__ import annotations

from router.composition.errors import CompositionIssue
from router.composition.fieldset import FieldSetProblem, base_name, walk_field_set
from router.composition.model import Key, SubField, Subgraph, SubType, type_str

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

        def visit(f: SubField) -> None:
            f.shareable = True
            self.g.used.add(f.coordinate)
            target = self.g.types.get(base_name(f.type))
            if target is not None and target.kind in _KIND_NAMES:
                invalid.append(f'field "{f.coordinate}" is a {_KIND_NAMES[target.kind]} type')
            if f.args:
                with_args.append(f.coordinate)

        problem = walk_field_set(self.g, t.name, key.fields, visit)
        if invalid:
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


def validate_subgraph(graph: Subgraph) -> list[CompositionIssue]:
    """Check one subgraph's federation directives; fills `used`, `provided` and `shareable`."""
    return _Validator(graph).run()
