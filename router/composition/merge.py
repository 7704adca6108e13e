"""Merge validated subgraphs into a supergraph following Apollo Federation 2's composition rules."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from graphql.language import (
    BooleanValueNode,
    DirectiveDefinitionNode,
    IntValueNode,
    ListTypeNode,
    ListValueNode,
    NamedTypeNode,
    NonNullTypeNode,
    StringValueNode,
    TypeNode,
    ValueNode,
)
from graphql.language.print_string import print_string

from router.composition.errors import CompositionIssue
from router.composition.fieldset import base_name
from router.composition.model import Applied, SubArgument, SubField, Subgraph, SubType, type_str
from router.composition.output import (
    OutArgument,
    OutEnumValue,
    OutField,
    OutType,
    Supergraph,
    print_value,
    render_directive,
)
from router.composition.printer import print_directive_definition
from router.composition.specs import (
    ACCESS_CONTROL,
    DIRECTIVE_SPEC,
    MERGED_SPEC_DIRECTIVES,
    join_definitions,
    join_version,
)

__all__ = ["merge_subgraphs"]

T = TypeVar("T")
Sources = list[T | None]  # one slot per subgraph, in subgraph order

_REPEATABLE = {"tag"}
_LABEL = re.compile(r"^[a-zA-Z][a-zA-Z0-9_\-:./]*$")
_PERCENT = re.compile(r"^percent\((\d{1,2}(\.\d{1,8})?|100)\)$")
_KIND_NAMES = {
    "object": "Object Type",
    "interface": "Interface Type",
    "union": "Union Type",
    "enum": "Enum Type",
    "input": "Input Object Type",
    "scalar": "Scalar Type",
}


def sanitize_graph_name(name: str) -> str:
    """Apollo's `sanitizeGraphQLName`: the `join__Graph` value for a subgraph name."""
    out = re.sub(r"\W", "_", name)
    if re.match(r"^\d", out):
        out = "_" + out
    if re.search(r"_\d+$", out):
        out += "_"
    return out.upper()


def subgraph_list(names: Sequence[str]) -> str:
    quoted = [f'"{n}"' for n in names]
    if len(quoted) == 1:
        return "subgraph " + quoted[0]
    return "subgraphs " + ", ".join(quoted[:-1]) + " and " + quoted[-1]


def mismatch(parts: list[str]) -> str:
    """Apollo's mismatch phrasing: `X in subgraph "a" but Y in subgraph "b" and Z in ...`."""
    return parts[0] + (" but " + " and ".join(parts[1:]) if len(parts) > 1 else "")


def _dnf(value: ValueNode | None) -> list[list[str]]:
    if not isinstance(value, ListValueNode):
        return []
    return [
        [v.value for v in inner.values if isinstance(v, StringValueNode)]
        for inner in value.values
        if isinstance(inner, ListValueNode)
    ]


def _key(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def _dnf_conjunction(values: list[list[list[str]]]) -> list[list[str]]:
    """Port of Apollo's `dnfConjunction` (AND of OR-of-AND scope lists), same ordering."""
    if not values:
        return []
    filtered: list[list[list[str]]] = []
    seen: set[str] = set()
    for raw in values:
        value = [sorted(inner) for inner in (raw or [[]])]
        value.sort(key=_key)
        if _key(value) not in seen:
            seen.add(_key(value))
            filtered.append(value)
    result = filtered[0]
    for current in filtered[1:]:
        accumulator: list[list[str]] = []
        done: set[str] = set()
        for acc in result:
            for element in current:
                candidate = sorted([*acc, *(e for e in element if e not in acc)])
                if _key(candidate) not in done:
                    done.add(_key(candidate))
                    accumulator.append(candidate)
        accumulator.sort(key=len)
        result = []
        for candidate in accumulator:
            if not any(all(e in candidate for e in r) for r in result):
                result.append(candidate)
    return result


def _record_access_control(
    extra: dict[str, list[list[Applied] | None]], st: SubType, ac: str, interfaces: list[str]
) -> None:
    if any(a.name == ac for a in st.directives):
        for itf in interfaces:
            extra.setdefault(f"{itf}_{ac}", []).append(st.directives)
    for f in st.fields.values():
        if not f.external and any(a.name == ac for a in f.directives):
            for itf in interfaces:
                extra.setdefault(f"{itf}.{f.name}_{ac}", []).append(f.directives)


def _merge_cost_arguments(name: str, applications: list[Applied]) -> list[tuple[str, str]]:
    """Apollo's strategies for differing @cost/@listSize: MAX, NULLABLE_MAX/UNION/AND."""

    def ints(arg: str) -> list[int]:
        return [
            int(v.value) for a in applications if isinstance(v := a.args.get(arg), IntValueNode)
        ]

    if name == "cost":
        return [("weight", str(max(ints("weight"))))]
    merged: list[tuple[str, str]] = []
    if sizes := ints("assumedSize"):
        merged.append(("assumedSize", str(max(sizes))))
    for arg in ("slicingArguments", "sizedFields"):
        lists = [a.args[arg] for a in applications if isinstance(a.args.get(arg), ListValueNode)]
        if lists:
            union: list[str] = []
            for value in lists:
                assert isinstance(value, ListValueNode)
                for item in value.values:
                    if isinstance(item, StringValueNode) and item.value not in union:
                        union.append(item.value)
            merged.append((arg, "[" + ", ".join(print_string(u) for u in union) + "]"))
    require_one = all(
        not isinstance(v := a.args.get("requireOneSlicingArgument"), BooleanValueNode) or v.value
        for a in applications
    )
    merged.append(("requireOneSlicingArgument", "true" if require_one else "false"))
    return merged


def _same(a: TypeNode, b: TypeNode) -> bool:
    return type_str(a) == type_str(b)


@dataclass(slots=True)
class _FieldContext:
    used_overridden: set[int] = field(default_factory=set)
    unused_overridden: set[int] = field(default_factory=set)
    unknown_target: set[int] = field(default_factory=set)
    labels: dict[int, str] = field(default_factory=dict)

    def overridden(self, idx: int) -> bool:
        return idx in self.used_overridden or idx in self.unused_overridden


class _Merger:
    def __init__(self, graphs: Sequence[Subgraph]) -> None:
        self.graphs = list(graphs)
        self.names = [g.name for g in graphs]
        self.errors: list[CompositionIssue] = []
        self.enum_usage: dict[str, str] = {}  # Input | Output | Both
        self.enum_examples: dict[str, dict[str, str]] = {}
        self.out = Supergraph()
        self.graph_enum = self._graph_enum_names()
        self.fed_version = max(g.fed_version for g in graphs)
        self.join = join_version(self.fed_version)
        self.spec_used = self._spec_directives_used()
        self.spec_local = self._spec_local_names()
        self.access_control_extra = self._access_control_extra()
        self.inaccessible = "@" + self.spec_local.get("inaccessible", "inaccessible")
        self.composed = self._composed_directives()
        # Deferred directive merges, applied after all types (Apollo's `mergeAllAppliedDirectives`).
        self.deferred: list[tuple[list[str], Sources[list[Applied]], list[str], str]] = []

    def err(self, code: str, message: str) -> None:
        self.errors.append(CompositionIssue(code, message))

    def _graph_enum_names(self) -> list[str]:
        sanitized = [sanitize_graph_name(n) for n in self.names]
        result = []
        for i, s in enumerate(sanitized):
            same = [j for j, t in enumerate(sanitized) if t == s]
            result.append(s if len(same) == 1 else f"{s}_{same.index(i) + 1}")
        return result

    def _spec_directives_used(self) -> list[str]:
        # Apollo links specs in order of first use: subgraph by subgraph, spec order within one.
        order: list[str] = []
        for g in self.graphs:
            for d in self._spec_directives_in(g):
                if d not in order:
                    order.append(d)
        return order

    def _spec_local_names(self) -> dict[str, str]:
        """The supergraph name of each composed spec directive: its (consistent) imported name."""
        names: dict[str, str] = {}
        for g in self.graphs:
            for canonical, local in g.spec_directive_names.items():
                if names.setdefault(canonical, local) != local:
                    self.err(
                        "LINK_IMPORT_NAME_MISMATCH",
                        f'The "@{canonical}" directive (from https://specs.apollo.dev/federation) is '
                        "imported with mismatched name between subgraphs: it is imported as "
                        f'"@{names[canonical]}" and "@{local}"',
                    )
        return names

    @staticmethod
    def _spec_directives_in(g: Subgraph) -> list[str]:
        used = {a.name for a in g.schema_directives}
        for t in g.types.values():
            used.update(a.name for a in t.directives)
            for f in t.fields.values():
                used.update(a.name for a in f.directives)
                for arg in f.args.values():
                    used.update(a.name for a in arg.directives)
            for v in t.values.values():
                used.update(a.name for a in v.directives)
        return [d for d in MERGED_SPEC_DIRECTIVES if d in used]

    def _composed_directives(self) -> dict[str, tuple[DirectiveDefinitionNode, str | None]]:
        """Custom directives kept by @composeDirective: name -> (definition, @link url)."""
        result: dict[str, tuple[DirectiveDefinitionNode, str | None]] = {}
        for g in self.graphs:
            for name in g.composed_directives:
                node = g.directive_defs.get(name)
                if not isinstance(node, DirectiveDefinitionNode) or name in result:
                    continue
                url = next(
                    (u for u, (_, imports) in g.links.items() if name in imports.values()), None
                )
                result[name] = (node, url)
        return result

    # -- entry point ---------------------------------------------------------------------------
    def merge(self) -> Supergraph | None:
        kinds = self.type_kinds()
        if self.errors:
            return None
        self.out.types = {name: OutType(name, kind) for name, kind in kinds.items()}
        types = list(self.out.types.values())
        for t in types:
            if t.kind in ("object", "interface"):
                self.merge_implements(t)
        # Apollo's order matters: enums last, once every field recorded how it uses them.
        for phase in (("union",), ("scalar", "input"), ("interface",), ("object",), ("enum",)):
            for t in types:
                if t.kind in phase:
                    self.merge_type(t)
        self.merge_schema()
        if "Query" not in self.out.types:
            self.err(
                "NO_QUERIES",
                "No queries found in any subgraph: a supergraph must have a query root type.",
            )
        for targets, sources, dest, _ in self.deferred:
            for name in targets:
                self.merge_applied(name, sources, dest)
        self.add_interface_object_fields()
        if not self.errors:
            self.post_merge_validations()
        self.add_definitions()
        return None if self.errors else self.out

    def type_kinds(self) -> dict[str, str]:
        kinds: dict[str, str] = {}
        mismatched: list[str] = []
        for g in self.graphs:
            for t in g.types.values():
                kind = t.merge_kind
                if t.name not in kinds:
                    kinds[t.name] = kind
                elif kinds[t.name] != kind and t.name not in mismatched:
                    mismatched.append(t.name)
        for name in mismatched:
            by_kind: dict[str, list[str]] = {}
            for g in self.graphs:
                st = g.types.get(name)
                if st:
                    label = (
                        "Interface Object Type (Object Type with @interfaceObject)"
                        if st.interface_object
                        else _KIND_NAMES[st.kind]
                    )
                    by_kind.setdefault(label, []).append(g.name)
            parts = [f"{k} in {subgraph_list(v)}" for k, v in by_kind.items()]
            self.err(
                "TYPE_KIND_MISMATCH",
                f'Type "{name}" has mismatched kind: it is defined as ' + mismatch(parts),
            )
        for name, kind in kinds.items():
            if kind == "interface" and not any(
                (found := g.types.get(name)) and found.kind == "interface" for g in self.graphs
            ):
                holders = [g.name for g in self.graphs if name in g.types]
                self.err(
                    "INTERFACE_OBJECT_USAGE_ERROR",
                    f'Type "{name}" is declared with @interfaceObject in all the subgraphs in which '
                    f"it is defined (it is defined in {subgraph_list(holders)} but should be "
                    "defined as an interface in at least one subgraph)",
                )
        return kinds

    def sources(self, t: OutType) -> Sources[SubType]:
        result: Sources[SubType] = []
        for g in self.graphs:
            st = g.types.get(t.name)
            result.append(st if st is not None and st.merge_kind == t.kind else None)
        return result

    # -- types -----------------------------------------------------------------------------------
    def merge_implements(self, t: OutType) -> None:
        for idx, s in enumerate(self.sources(t)):
            if s is None:
                continue
            for itf in s.interfaces:
                t.directives.append(
                    f'@join__implements(graph: {self.graph_enum[idx]}, interface: "{itf}")'
                )
                if itf not in t.interfaces:
                    t.interfaces.append(itf)

    def merge_type(self, t: OutType) -> None:
        sources = self.sources(t)
        t.description = self.merge_description([s.description if s else None for s in sources])
        self.add_join_type(sources, t)
        self.record_directives(
            [s.directives if s else None for s in sources], t.directives, t.name, kind=t.kind
        )
        if t.kind == "object":
            self.merge_object(sources, t)
        elif t.kind == "interface":
            self.merge_interface(sources, t)
        elif t.kind == "union":
            self.merge_union(sources, t)
        elif t.kind == "enum":
            self.merge_enum(sources, t)
        elif t.kind == "input":
            self.merge_input(sources, t)

    def add_join_type(self, sources: Sources[SubType], t: OutType) -> None:
        for idx, s in enumerate(sources):
            if s is None:
                continue
            base = [("graph", self.graph_enum[idx])]
            itf_object = [("isInterfaceObject", "true")] if s.interface_object else []
            if not s.keys:
                t.directives.append(render_directive("join__type", base + itf_object))
            for k in s.keys:
                args = [*base, ("key", print_value_str(k.fields))]
                if k.extension or s.extends:
                    args.append(("extension", "true"))
                if k.resolvable is not None:
                    args.append(("resolvable", "true" if k.resolvable else "false"))
                t.directives.append(render_directive("join__type", args + itf_object))

    def merge_description(self, descriptions: list[str | None]) -> str | None:
        seen: list[str] = []
        counts: list[float] = []
        for d in descriptions:
            if d is None:
                continue
            if d in seen:
                counts[seen.index(d)] += 1
            else:
                seen.append(d)
                counts.append(float("-inf") if d == "" else 1)
        if not seen:
            return None
        non_empty = [d for d in seen if d != ""]
        if len(seen) == 1:
            return seen[0]
        if len(non_empty) == 1:
            return non_empty[0]
        return seen[counts.index(max(counts))]

    # -- applied directives ------------------------------------------------------------------------
    def record_directives(
        self,
        sources: Sources[list[Applied]],
        dest: list[str],
        coordinate: str,
        kind: str = "field",
    ) -> None:
        """Apply @inaccessible now and queue the rest, in Apollo's order."""
        names: list[str] = []
        for s in sources:
            for a in s or ():
                if a.name not in names:
                    names.append(a.name)
        if "inaccessible" in names:
            self.merge_applied("inaccessible", sources, dest)
            names.remove("inaccessible")
        if kind in ("field", "interface"):
            for ac in self.spec_used:
                if ac not in ACCESS_CONTROL:
                    continue
                # Interfaces inherit the access control of their implementations (and fields).
                extra = self.access_control_extra.get(f"{coordinate}_{ac}", [])
                if ac in names or extra:
                    self.deferred.append(([ac], [*sources, *extra], dest, coordinate))
                if ac in names:
                    names.remove(ac)
        self.deferred.append((names, sources, dest, coordinate))

    def _access_control_extra(self) -> dict[str, list[list[Applied] | None]]:
        """Apollo's `accessControlAdditionalSources`: implementations' rules, keyed per interface."""
        interfaces_of: dict[str, list[str]] = {}
        for g in self.graphs:
            for st in g.types.values():
                if st.kind == "object" and not st.interface_object:
                    for itf in st.interfaces:
                        interfaces_of.setdefault(st.name, [])
                        if itf not in interfaces_of[st.name]:
                            interfaces_of[st.name].append(itf)
        extra: dict[str, list[list[Applied] | None]] = {}
        for g in self.graphs:
            for ac in ACCESS_CONTROL:
                for st in g.types.values():
                    if st.kind == "object" and not st.interface_object:
                        _record_access_control(extra, st, ac, interfaces_of.get(st.name, []))
        return extra

    def merge_applied(self, name: str, sources: Sources[list[Applied]], dest: list[str]) -> None:
        per_source = [[a for a in s if a.name == name] for s in sources if s]
        per_source = [p for p in per_source if p]
        if not per_source:
            return
        rendered = [[self.render_applied(a) for a in p] for p in per_source]
        if self.is_repeatable(name):
            done: list[str] = []
            for group in rendered:
                for r in group:
                    if r not in done:
                        done.append(r)
            dest.extend(done)
            return
        distinct: list[str] = []
        counts: list[int] = []
        for group in rendered:
            r = group[0]
            if r in distinct:
                counts[distinct.index(r)] += 1
            else:
                distinct.append(r)
                counts.append(1)
        if len(distinct) > 1 and name in ("requiresScopes", "policy"):
            dest.append(self.union_scopes(name, [p[0] for p in per_source]))
            return
        if len(distinct) > 1 and name in ("cost", "listSize"):
            merged = _merge_cost_arguments(name, [p[0] for p in per_source])
            dest.append(render_directive(self.spec_local.get(name, name), merged))
            return
        dest.append(distinct[counts.index(max(counts))])

    def union_scopes(self, name: str, applications: list[Applied]) -> str:
        """Merge differing @requiresScopes/@policy the way Apollo does: a DNF conjunction."""
        arg = "scopes" if name == "requiresScopes" else "policies"
        values = [_dnf(a.args.get(arg)) for a in applications]
        merged = _dnf_conjunction(values)
        printed = ", ".join("[" + ", ".join(print_string(x) for x in c) + "]" for c in merged)
        return f"@{self.spec_local.get(name, name)}({arg}: [{printed}])"

    def is_repeatable(self, name: str) -> bool:
        if name in _REPEATABLE:
            return True
        composed = self.composed.get(name)
        return bool(composed and composed[0].repeatable)

    def render_applied(self, a: Applied) -> str:
        name = self.spec_local.get(a.name, a.name)
        return render_directive(name, [(k, print_value(v)) for k, v in a.args.items()])

    # -- objects and interfaces ----------------------------------------------------------------------
    def field_sources(self, sources: Sources[SubType], t: OutType) -> dict[str, Sources[SubField]]:
        """Per field name, the field in each subgraph (None where the type is but the field is not)."""
        added: dict[str, Sources[SubField]] = {}
        for idx, s in enumerate(sources):
            if s is None:
                continue
            for f in s.fields.values():
                slots = added.setdefault(f.name, [None] * len(self.graphs))
                slots[idx] = f
        return added

    def has_type(self, idx: int, name: str) -> bool:
        return name in self.graphs[idx].types

    def merge_object(self, sources: Sources[SubType], t: OutType) -> None:
        added = self.field_sources(sources, t)
        if not added:
            del self.out.types[t.name]
            return
        for name, fs in added.items():
            ctx = self.validate_override(fs, t, name)
            self.merge_field(fs, t, name, ctx)
            self.validate_sharing(fs, t, name, ctx)

    def merge_interface(self, sources: Sources[SubType], t: OutType) -> None:
        self.validate_interface_keys(sources, t)
        for name, fs in self.field_sources(sources, t).items():
            ctx = self.validate_override(fs, t, name)
            self.merge_field(fs, t, name, ctx)

    def possible_types(self, itf: str) -> list[str]:
        names: list[str] = []
        for g in self.graphs:
            for st in g.types.values():
                if st.kind == "object" and itf in st.interfaces and st.name not in names:
                    names.append(st.name)
        # Implementations through implemented interfaces that an object implements transitively.
        return names

    def validate_interface_keys(self, sources: Sources[SubType], t: OutType) -> None:
        impls = self.possible_types(t.name)
        for idx, s in enumerate(sources):
            if s is None or s.kind != "interface":
                continue
            g = self.graphs[idx]
            if s.interface_object:
                continue
            resolvable = next((k for k in s.keys if k.resolvable is not False), None)
            local = {st.name for st in g.implementations(t.name) if st.kind == "object"}
            missing = [i for i in impls if i not in local]
            if resolvable and missing:
                types = ", ".join(f'"{m}"' for m in missing)
                plural = "types " if len(missing) > 1 else "type "
                self.err(
                    "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE",
                    f'[{g.name}] Interface type "{t.name}" has a resolvable key (@key(fields: '
                    f'"{resolvable.fields}")) in subgraph "{g.name}" but that subgraph is missing '
                    f'some of the supergraph implementation types of "{t.name}". Subgraph '
                    f'"{g.name}" should define {plural}{types} (and have '
                    f'{"them" if len(missing) > 1 else "it"} implement "{t.name}").',
                )
        for idx, s in enumerate(sources):
            if s is None or not s.interface_object:
                continue
            g = self.graphs[idx]
            defined = [i for i in impls if i in g.types]
            if defined:
                self.err(
                    "INTERFACE_OBJECT_USAGE_ERROR",
                    f'[{g.name}] Interface type "{t.name}" is defined as an @interfaceObject in '
                    f'subgraph "{g.name}" so that subgraph should not define any of the '
                    f'implementation types of "{t.name}", but it defines '
                    + ", ".join(f'type "{d}"' for d in defined),
                )

    # One branch per @override rule of Apollo's `validateOverride`, kept together on purpose.
    def validate_override(  # noqa: PLR0912, PLR0915
        self, fs: Sources[SubField], t: OutType, name: str
    ) -> _FieldContext:
        ctx = _FieldContext()
        coordinate = f"{t.name}.{name}"
        with_override = [i for i, f in enumerate(fs) if f is not None and f.override is not None]
        for idx in with_override:
            f = fs[idx]
            assert f is not None
            assert f.override is not None
            sub = self.names[idx]
            st = self.graphs[idx].types[t.name]
            if st.kind == "interface":
                self.err(
                    "OVERRIDE_ON_INTERFACE",
                    f'@override cannot be used on field "{coordinate}" on subgraph "{sub}": '
                    "@override is not supported on interface type fields.",
                )
                continue
            if st.interface_object:
                self.err(
                    "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                    "@override is not yet supported on fields of @interfaceObject types: cannot be "
                    f'used on field "{coordinate}" on subgraph "{sub}".',
                )
                continue
            source = f.override
            if source not in self.names:
                ctx.unknown_target.add(idx)
                continue
            from_idx = self.names.index(source)
            from_field = fs[from_idx]
            if source == sub:
                self.err(
                    "OVERRIDE_FROM_SELF_ERROR",
                    f'Source and destination subgraphs "{source}" are the same for overridden '
                    f'field "{coordinate}"',
                )
            elif from_idx in with_override:
                self.err(
                    "OVERRIDE_SOURCE_HAS_OVERRIDE",
                    f'Field "{coordinate}" on subgraph "{sub}" is also marked with directive '
                    f'@override in subgraph "{source}". Only one @override directive is allowed '
                    "per field.",
                )
            elif from_field is None:
                continue
            else:
                conflict: tuple[str, str] | None = None
                if from_field.requires is not None:
                    conflict = ("requires", source)
                elif from_field.provides is not None:
                    conflict = ("provides", source)
                elif f.external:
                    conflict = ("external", sub)
                if conflict:
                    self.err(
                        "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                        f'@override cannot be used on field "{coordinate}" on subgraph "{sub}" '
                        f'since "{coordinate}" on "{conflict[1]}" is marked with directive '
                        f'"@{conflict[0]}"',
                    )
                    continue
                if from_field.external:
                    pass
                elif from_field.coordinate in self.graphs[from_idx].used:
                    ctx.used_overridden.add(from_idx)
                else:
                    ctx.unused_overridden.add(from_idx)
                label = f.override_label
                if label is not None:
                    m = _PERCENT.match(label)
                    if _LABEL.match(label) or (m and 0 <= float(m[1]) <= 100):
                        ctx.labels[idx] = label
                        ctx.labels[from_idx] = label
                    else:
                        self.err(
                            "OVERRIDE_LABEL_INVALID",
                            f'Invalid @override label "{label}" on field "{coordinate}" on '
                            f'subgraph "{sub}": labels must start with a letter and after that '
                            "may contain alphanumerics, underscores, minuses, colons, periods, or "
                            'slashes. Alternatively, labels may be of the form "percent(x)" where '
                            "x is a float between 0-100 inclusive.",
                        )
        return ctx

    def merge_field(self, fs: Sources[SubField], t: OutType, name: str, ctx: _FieldContext) -> None:
        coordinate = f"{t.name}.{name}"
        defined = [(i, f) for i, f in enumerate(fs) if f is not None]
        if all(f.external for _, f in defined):
            self.err(
                "EXTERNAL_MISSING_ON_BASE",
                f'Field "{coordinate}" is marked @external on all the subgraphs in which it is '
                f"listed ({subgraph_list([self.names[i] for i, _ in defined])}).",
            )
            return
        out = t.fields.setdefault(name, OutField(name))
        without_external: Sources[SubField] = [
            f if f is not None and not f.external else None for f in fs
        ]
        for i, f in defined:
            if f.external and f.directives:
                for a in f.directives:
                    self.err(
                        "MERGED_DIRECTIVE_APPLICATION_ON_EXTERNAL",
                        f"[{self.names[i]}] Cannot apply merged directive "
                        f'{self.render_applied(a)} to external field "{coordinate}"',
                    )
        out.description = self.merge_description(
            [f.description if f else None for f in without_external]
        )
        self.record_directives(
            [f.directives if f else None for f in without_external], out.directives, coordinate
        )
        out.args = self.merge_arguments(without_external, coordinate)
        merged_type, all_equal = self.merge_type_reference(
            [f.type if f else None for f in without_external], coordinate, "field", False
        )
        out.type = type_str(merged_type)
        self.note_enum(merged_type, "Output", coordinate)
        if any(f.external for _, f in defined):
            self.validate_external(fs, merged_type, out, all_equal, coordinate)
        self.add_join_field(fs, t, out, all_equal, ctx)

    def merge_arguments(self, fs: Sources[SubField], coordinate: str) -> list[OutArgument]:
        names: list[str] = []
        for f in fs:
            for a in f.args if f else ():
                if a not in names:
                    names.append(a)
        result: list[OutArgument] = []
        for name in names:
            arg_coordinate = f"{coordinate}({name}:)"
            args: Sources[SubArgument] = [f.args.get(name) if f else None for f in fs]
            missing = [self.names[i] for i, f in enumerate(fs) if f is not None and args[i] is None]
            if missing:
                required = [
                    self.names[i]
                    for i, a in enumerate(args)
                    if a is not None and isinstance(a.type, NonNullTypeNode) and a.default is None
                ]
                if required:
                    self.err(
                        "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
                        f'Argument "{arg_coordinate}" is required in some subgraphs but does not '
                        f"appear in all subgraphs: it is required in {subgraph_list(required)} but "
                        f"does not appear in {subgraph_list(missing)}",
                    )
                continue
            out = OutArgument(name, "")
            out.description = self.merge_description([a.description if a else None for a in args])
            self.record_directives(
                [a.directives if a else None for a in args], out.directives, arg_coordinate, "arg"
            )
            merged, _ = self.merge_type_reference(
                [a.type if a else None for a in args], arg_coordinate, "argument", True
            )
            out.type = type_str(merged)
            self.note_enum(merged, "Input", arg_coordinate)
            out.default = self.merge_default(
                [(self.names[i], a.default) for i, a in enumerate(args) if a is not None],
                arg_coordinate,
                "Argument",
            )
            if (
                self.inaccessible in out.directives
                and out.type.endswith("!")
                and out.default is None
            ):
                self.err(
                    "REQUIRED_INACCESSIBLE",
                    f'Argument "{arg_coordinate}" is @inaccessible but is a required argument of '
                    "its field.",
                )
            result.append(out)
        return result

    def merge_default(
        self, defaults: list[tuple[str, ValueNode | None]], coordinate: str, kind: str
    ) -> str | None:
        printed = [(n, print_value(d) if d is not None else None) for n, d in defaults]
        values = {p for _, p in printed if p is not None}
        if len(values) > 1:
            parts = [
                f'default value {p} in subgraph "{n}"'
                if p
                else f'no default value in subgraph "{n}"'
                for n, p in printed
            ]
            code = (
                "FIELD_ARGUMENT_DEFAULT_MISMATCH"
                if kind == "Argument"
                else "INPUT_FIELD_DEFAULT_MISMATCH"
            )
            self.err(
                code,
                f'{kind} "{coordinate}" has incompatible default values across subgraphs: it has '
                + mismatch(parts),
            )
            return None
        if values and any(p is None for _, p in printed):
            return None  # inconsistent presence: Apollo drops the default (a hint, not an error)
        return printed[0][1] if printed else None

    def merge_type_reference(
        self, types: list[TypeNode | None], coordinate: str, what: str, is_input: bool
    ) -> tuple[TypeNode, bool]:
        dest: TypeNode | None = None
        subtypes = incompatible = False
        for tn in types:
            if tn is None:
                continue
            if dest is None or _same(dest, tn):
                dest = tn
            elif self.is_strict_subtype(dest, tn):
                subtypes = True
                if is_input:
                    dest = tn
            elif self.is_strict_subtype(tn, dest):
                subtypes = True
                if not is_input:
                    dest = tn
            else:
                incompatible = True
        assert dest is not None
        if incompatible:
            parts: dict[str, list[str]] = {}
            for i, tn in enumerate(types):
                if tn is not None:
                    parts.setdefault(type_str(tn), []).append(self.names[i])
            described = [f'type "{k}" in {subgraph_list(v)}' for k, v in parts.items()]
            code = "FIELD_ARGUMENT_TYPE_MISMATCH" if what == "argument" else "FIELD_TYPE_MISMATCH"
            self.err(
                code,
                f'Type of {what} "{coordinate}" is incompatible across subgraphs: it has '
                + mismatch(described),
            )
        return dest, not (subtypes or incompatible)

    def is_strict_subtype(self, sup: TypeNode, sub: TypeNode) -> bool:
        return not _same(sup, sub) and self.is_subtype(sup, sub)

    def is_subtype(self, sup: TypeNode, sub: TypeNode) -> bool:
        if _same(sup, sub):
            return True
        if isinstance(sub, NonNullTypeNode):
            if isinstance(sup, NonNullTypeNode):
                return self.is_subtype(sup.type, sub.type)
            return self.is_subtype(sup, sub.type)
        if isinstance(sub, ListTypeNode):
            return isinstance(sup, ListTypeNode) and self.is_subtype(sup.type, sub.type)
        if not isinstance(sup, NamedTypeNode) or not isinstance(sub, NamedTypeNode):
            return False
        sup_t = self.out.types.get(sup.name.value)
        if sup_t is None:
            return False
        if sup_t.kind == "union":
            return sub.name.value in sup_t.members
        if sup_t.kind == "interface":
            sub_t = self.out.types.get(sub.name.value)
            return sub_t is not None and sup.name.value in sub_t.interfaces
        return False

    def note_enum(self, tn: TypeNode, position: str, coordinate: str) -> None:
        name = base_name(tn)
        t = self.out.types.get(name)
        if t is None or t.kind != "enum":
            return
        existing = self.enum_usage.get(name)
        self.enum_usage[name] = position if existing in (None, position) else "Both"
        self.enum_examples.setdefault(name, {}).setdefault(position, coordinate)

    def validate_external(
        self,
        fs: Sources[SubField],
        merged: TypeNode,
        out: OutField,
        all_equal: bool,
        coordinate: str,
    ) -> None:
        bad_type = False
        missing_args: list[str] = []
        for f in fs:
            if f is None or not f.external:
                continue
            if not (
                _same(merged, f.type) or (not all_equal and self.is_strict_subtype(merged, f.type))
            ):
                bad_type = True
            for a in out.args:
                if a.name not in f.args and a.name not in missing_args:
                    missing_args.append(a.name)
        if bad_type:
            parts: dict[str, list[str]] = {}
            for i, f in enumerate(fs):
                if f is not None:
                    parts.setdefault(type_str(f.type), []).append(self.names[i])
            self.err(
                "EXTERNAL_TYPE_MISMATCH",
                f'Type of field "{coordinate}" is incompatible across subgraphs (where marked '
                "@external): it has "
                + mismatch([f'type "{k}" in {subgraph_list(v)}' for k, v in parts.items()]),
            )
        for arg_name in missing_args:
            self.err(
                "EXTERNAL_ARGUMENT_MISSING",
                f'Field "{coordinate}" is missing argument "{coordinate}({arg_name}:)" in some subgraphs '
                "where it is marked @external.",
            )

    def add_join_field(
        self,
        fs: Sources[SubField],
        t: OutType,
        out: OutField,
        all_equal: bool,
        ctx: _FieldContext,
    ) -> None:
        if not self.needs_join_field(fs, t.name, all_equal, ctx):
            return
        for idx, f in enumerate(fs):
            if f is None or (idx in ctx.unused_overridden and idx not in ctx.labels):
                continue
            args = [("graph", self.graph_enum[idx])]
            if f.requires is not None:
                args.append(("requires", print_value_str(f.requires)))
            if f.provides is not None:
                args.append(("provides", print_value_str(f.provides)))
            if f.override is not None:
                args.append(("override", print_value_str(f.override)))
            if not all_equal:
                args.append(("type", print_value_str(type_str(f.type))))
            if f.external:
                args.append(("external", "true"))
            if idx in ctx.used_overridden:
                args.append(("usedOverridden", "true"))
            if idx in ctx.labels:
                args.append(("overrideLabel", print_value_str(ctx.labels[idx])))
            out.directives.insert(
                self.join_insert_point(out.directives), render_directive("join__field", args)
            )

    def join_insert_point(self, directives: list[str]) -> int:
        # join__field follows @inaccessible (applied first) and precedes the deferred directives.
        n = 0
        while n < len(directives) and (
            directives[n] == self.inaccessible or directives[n].startswith("@join__field")
        ):
            n += 1
        return n

    def needs_join_field(
        self, fs: Sources[SubField], parent: str, all_equal: bool, ctx: _FieldContext
    ) -> bool:
        if not all_equal or ctx.used_overridden or ctx.labels:
            return True
        for idx, f in enumerate(fs):
            if f is not None and idx not in ctx.unused_overridden:
                if f.external or f.provides is not None or f.requires is not None:
                    return True
            elif self.has_type(idx, parent):
                return True
        return False

    def validate_sharing(
        self, fs: Sources[SubField], t: OutType, name: str, ctx: _FieldContext
    ) -> None:
        shareable: list[int] = []
        non_shareable: list[int] = []
        resolving: list[int] = []
        for idx, f in enumerate(fs):
            if f is None or ctx.overridden(idx):
                continue
            if self.graphs[idx].fully_external(f):
                continue
            resolving.append(idx)
            (shareable if f.shareable else non_shareable).append(idx)
        if non_shareable and (shareable or len(non_shareable) > 1):
            where = (
                subgraph_list([self.names[i] for i in non_shareable])
                if shareable
                else "all of them"
            )
            extra = ""
            unknown = next((i for i in non_shareable if i in ctx.unknown_target), None)
            if unknown is not None:
                extra = (
                    f' (please note that "{t.name}.{name}" has an @override directive in '
                    f'"{self.names[unknown]}" that targets an unknown subgraph so this could be due '
                    "to misspelling the @override(from:) argument)"
                )
            self.err(
                "INVALID_FIELD_SHARING",
                f'Non-shareable field "{t.name}.{name}" is resolved from multiple subgraphs: it is '
                f"resolved from {subgraph_list([self.names[i] for i in resolving])} and defined as "
                f"non-shareable in {where}{extra}",
            )

    # -- unions, enums, inputs --------------------------------------------------------------------
    def merge_union(self, sources: Sources[SubType], t: OutType) -> None:
        for s in sources:
            for m in s.members if s else ():
                if m not in t.members:
                    t.members.append(m)
        for m in t.members:
            for idx, s in enumerate(sources):
                if s is not None and m in s.members:
                    t.directives.append(
                        f'@join__unionMember(graph: {self.graph_enum[idx]}, member: "{m}")'
                    )

    def merge_enum(self, sources: Sources[SubType], t: OutType) -> None:
        position = self.enum_usage.get(t.name, "Output")
        names: list[str] = []
        for s in sources:
            for v in s.values if s else ():
                if v not in names:
                    names.append(v)
        for name in names:
            values = [s.values.get(name) if s else None for s in sources]
            out = OutEnumValue(name)
            out.description = self.merge_description([v.description if v else None for v in values])
            self.record_directives(
                [v.directives if v else None for v in values],
                out.directives,
                f"{t.name}.{name}",
                "value",
            )
            for idx, value in enumerate(values):
                if value is not None:
                    out.directives.insert(
                        self.join_enum_insert_point(out.directives),
                        f"@join__enumValue(graph: {self.graph_enum[idx]})",
                    )
            inaccessible = self.inaccessible in out.directives
            missing = any(s is not None and name not in s.values for s in sources)
            if not inaccessible and position != "Output" and missing:
                if position == "Both":
                    examples = self.enum_examples.get(t.name, {})
                    self.err(
                        "ENUM_VALUE_MISMATCH",
                        f'Enum type "{t.name}" is used as both input type (for example, as type of '
                        f'"{examples.get("Input")}") and output type (for example, as type of '
                        f'"{examples.get("Output")}"), but value "{name}" is not defined in all the '
                        f'subgraphs defining "{t.name}": "{name}" is defined in '
                        + subgraph_list([self.names[i] for i, v in enumerate(values) if v])
                        + " but not in "
                        + subgraph_list(
                            [self.names[i] for i, s in enumerate(sources) if s and not values[i]]
                        ),
                    )
                continue
            t.values[name] = out
        if not t.values:
            self.err(
                "EMPTY_MERGED_ENUM_TYPE",
                f'None of the values of enum type "{t.name}" are defined consistently in all the '
                "subgraphs defining that type. As only values common to all subgraphs are merged, "
                "this would result in an empty type.",
            )

    def join_enum_insert_point(self, directives: list[str]) -> int:
        n = 0
        while n < len(directives) and (
            directives[n] == self.inaccessible or directives[n].startswith("@join__enumValue")
        ):
            n += 1
        return n

    def merge_input(self, sources: Sources[SubType], t: OutType) -> None:
        for name, fs in self.field_sources(sources, t).items():
            coordinate = f"{t.name}.{name}"
            out = OutField(name)
            out.description = self.merge_description([f.description if f else None for f in fs])
            self.record_directives(
                [f.directives if f else None for f in fs], out.directives, coordinate, "input"
            )
            merged, all_equal = self.merge_type_reference(
                [f.type if f else None for f in fs], coordinate, "field", True
            )
            out.type = type_str(merged)
            self.note_enum(merged, "Input", coordinate)
            self.add_join_field(fs, t, out, all_equal, _FieldContext())
            out.default = self.merge_default(
                [(self.names[i], f.default) for i, f in enumerate(fs) if f is not None],
                coordinate,
                "Input field",
            )
            inaccessible = self.inaccessible in out.directives
            if inaccessible and out.type.endswith("!") and out.default is None:
                self.err(
                    "REQUIRED_INACCESSIBLE",
                    f'Input field "{coordinate}" is @inaccessible but is a required input field of '
                    "its type.",
                )
            missing = [
                self.names[i] for i, s in enumerate(sources) if s is not None and fs[i] is None
            ]
            if not inaccessible and missing:
                required = [
                    self.names[i]
                    for i, f in enumerate(fs)
                    if f is not None and isinstance(f.type, NonNullTypeNode) and f.default is None
                ]
                if required:
                    self.err(
                        "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
                        f'Input object field "{coordinate}" is required in some subgraphs but does '
                        f"not appear in all subgraphs: it is required in {subgraph_list(required)} "
                        f"but does not appear in {subgraph_list(missing)}",
                    )
                continue
            t.fields[name] = out
        if not t.fields:
            self.err(
                "EMPTY_MERGED_INPUT_TYPE",
                f'None of the fields of input object type "{t.name}" are consistently defined in '
                "all the subgraphs defining that type. As only fields common to all subgraphs are "
                "merged, this would result in an empty type.",
            )

    # -- schema, interface objects, validation ------------------------------------------------------
    def merge_schema(self) -> None:
        for kind, default in (
            ("query", "Query"),
            ("mutation", "Mutation"),
            ("subscription", "Subscription"),
        ):
            if default in self.out.types and any(kind in g.roots for g in self.graphs):
                self.out.roots[kind] = default
        self.record_directives(
            [g.schema_directives for g in self.graphs],
            self.out.schema_directives,
            "schema",
            "schema",
        )

    def add_interface_object_fields(self) -> None:
        provided: dict[tuple[str, str], bool] = {}
        for g in self.graphs:
            for st in g.types.values():
                if st.interface_object:
                    for f in st.fields.values():
                        if not f.external:
                            provided[(st.name, f.name)] = True
        if not provided:
            return
        for t in list(self.out.types.values()):
            if t.kind != "object":
                continue
            for itf_name in t.interfaces:
                itf = self.out.types.get(itf_name)
                if itf is None:
                    continue
                for itf_field in itf.fields.values():
                    if itf_field.name in t.fields or (itf_name, itf_field.name) not in provided:
                        continue
                    copy = OutField(
                        itf_field.name,
                        itf_field.type,
                        itf_field.description,
                        [
                            OutArgument(
                                a.name, a.type, a.default, a.description, list(a.directives)
                            )
                            for a in itf_field.args
                        ],
                    )
                    copy.directives = [
                        d for d in itf_field.directives if not d.startswith("@join__")
                    ]
                    copy.directives.append("@join__field")
                    t.fields[copy.name] = copy

    def check_inaccessible_references(self) -> None:
        """An element in the API schema may not reference a type removed by @inaccessible."""
        hidden = {n for n, t in self.out.types.items() if self.inaccessible in t.directives}
        if not hidden:
            return
        for t in self.out.types.values():
            if t.name in hidden:
                continue
            for f in t.fields.values():
                if self.inaccessible in f.directives:
                    continue
                refs = [(f"{t.name}.{f.name}", f.type)]
                refs += [
                    (f"{t.name}.{f.name}({a.name}:)", a.type)
                    for a in f.args
                    if self.inaccessible not in a.directives
                ]
                for coordinate, type_text in refs:
                    base = type_text.strip("[]!")
                    if base in hidden:
                        self.err(
                            "REFERENCED_INACCESSIBLE",
                            f'Type "{base}" is @inaccessible but is referenced by "{coordinate}", '
                            "which is in the API schema.",
                        )

    def post_merge_validations(self) -> None:
        self.check_inaccessible_references()
        for t in self.out.types.values():
            if t.kind not in ("object", "interface"):
                continue
            for itf_name in t.interfaces:
                itf = self.out.types.get(itf_name)
                for name in itf.fields if itf else ():
                    if name in t.fields:
                        continue
                    with_field = [
                        g.name
                        for g in self.graphs
                        if (st := g.types.get(itf_name)) and name in st.fields
                    ]
                    implementing = [
                        g.name
                        for g in self.graphs
                        if (st := g.types.get(t.name)) and itf_name in st.interfaces
                    ]
                    self.err(
                        "INTERFACE_FIELD_NO_IMPLEM",
                        f'Interface field "{itf_name}.{name}" is declared in '
                        f'{subgraph_list(with_field)} but type "{t.name}", which implements '
                        f'"{itf_name}" only in {subgraph_list(implementing)} does not have field '
                        f'"{name}".',
                    )

    def executable_directive_definitions(self) -> list[str]:
        """Executable directives defined in every subgraph (locations intersected), like Apollo."""
        names: list[str] = []
        for g in self.graphs:
            for name in g.directive_defs:
                if name not in names and name not in self.composed:
                    names.append(name)
        result: list[str] = []
        for name in names:
            defs = [g.directive_defs.get(name) for g in self.graphs]
            nodes = [d for d in defs if isinstance(d, DirectiveDefinitionNode)]
            if not any(_executable(n) for n in nodes) or len(nodes) != len(defs):
                continue
            locations = sorted(_executable(nodes[0]))
            for n in nodes[1:]:
                locations = [loc for loc in locations if loc in _executable(n)]
            if not locations:
                continue
            description = self.merge_description(
                [n.description.value if n.description else None for n in nodes]
            )
            args = self.merge_directive_arguments(name, nodes)
            repeatable = all(n.repeatable for n in nodes)
            result.append(
                print_directive_definition(name, args, repeatable, locations, description)
            )
        return result

    def merge_directive_arguments(
        self, name: str, nodes: list[DirectiveDefinitionNode]
    ) -> list[OutArgument]:
        per_node = [{a.name: a for a in _directive_arguments(n)} for n in nodes]
        arg_names = list(dict.fromkeys(a for args in per_node for a in args))
        result: list[OutArgument] = []
        for arg in arg_names:
            present = [args[arg] for args in per_node if arg in args]
            if len(present) != len(per_node):
                if any(p.type.endswith("!") and p.default is None for p in present):
                    self.err(
                        "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
                        f'Argument "@{name}({arg}:)" is required in some subgraphs but does not '
                        "appear in all subgraphs",
                    )
                continue
            merged = present[0]
            merged.description = self.merge_description([p.description for p in present])
            # Input position: the most restrictive type (non-null wins) is kept.
            merged.type = next((p.type for p in present if p.type.endswith("!")), merged.type)
            result.append(merged)
        return result

    def add_definitions(self) -> None:
        out = self.out
        v = self.join
        out.links = [
            '@link(url: "https://specs.apollo.dev/link/v1.0")',
            f'@link(url: "https://specs.apollo.dev/join/v{v[0]}.{v[1]}", for: EXECUTION)',
        ]
        directives, types = join_definitions(v)
        for spec in dict.fromkeys(DIRECTIVE_SPEC[d] for d in self.spec_used):
            imports: list[str] = []
            for d, template in spec.directives:
                local = self.spec_local.get(d, spec.default_name(d))
                if local != spec.default_name(d):
                    imports.append(f'"@{d}"' if local == d else f'{{name: "@{d}", as: "@{local}"}}')
                directives.append(template.format(local))
            link = f'@link(url: "{spec.url}"'
            link += f", import: [{', '.join(imports)}]" if imports else ""
            link += f", for: {spec.purpose})" if spec.purpose else ")"
            out.links.append(link)
            types.extend(spec.types)
        by_url: dict[str, list[str]] = {}
        for name, (node, link_url) in self.composed.items():
            if link_url is not None:
                by_url.setdefault(link_url, []).append(name)
            directives.append(_print_directive_definition(node))
        directives.extend(self.executable_directive_definitions())
        for url, names in by_url.items():
            imports = ", ".join(f'"@{n}"' for n in names)
            out.links.append(f'@link(url: "{url}", import: [{imports}])')
        graph_values = "\n".join(
            f'  {e} @join__graph(name: "{n}", url: "{g.url}")'
            for e, n, g in zip(self.graph_enum, self.names, self.graphs, strict=True)
        )
        types.append("enum join__Graph {\n" + graph_values + "\n}")
        out.directive_definitions = [(_definition_name(d), d) for d in directives]
        out.extra_types = [(_definition_name(t), t) for t in types]


def print_value_str(value: str) -> str:
    from graphql.language.print_string import print_string

    return print_string(value)


def _definition_name(text: str) -> str:
    m = re.search(r"^(?:directive @|scalar |enum |input |type )(\w+)", text, re.MULTILINE)
    assert m, text
    return m[1]


_EXECUTABLE_LOCATIONS = frozenset(
    {
        "QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD",
        "INLINE_FRAGMENT", "VARIABLE_DEFINITION",
    }
)  # fmt: skip


def _executable(node: DirectiveDefinitionNode) -> list[str]:
    return [loc.value for loc in node.locations if loc.value in _EXECUTABLE_LOCATIONS]


def _directive_arguments(node: DirectiveDefinitionNode) -> list[OutArgument]:
    return [
        OutArgument(
            a.name.value,
            type_str(a.type),
            print_value(a.default_value) if a.default_value is not None else None,
            a.description.value if a.description else None,
        )
        for a in node.arguments or ()
    ]


def _print_directive_definition(node: DirectiveDefinitionNode) -> str:
    return print_directive_definition(
        node.name.value,
        _directive_arguments(node),
        node.repeatable,
        [loc.value for loc in node.locations],
        node.description.value if node.description else None,
    )


def merge_subgraphs(graphs: Sequence[Subgraph]) -> tuple[Supergraph | None, list[CompositionIssue]]:
    """Merge validated subgraphs; return the supergraph or the composition errors."""
    merger = _Merger(graphs)
    result = merger.merge()
    return result, merger.errors
