"""Merge state and the shared rules: descriptions, applied directives, type references, join__field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from graphql.language import (
    DirectiveDefinitionNode,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    TypeNode,
    ValueNode,
)
from graphql.language.print_string import print_string

from router.composition.directives import (
    REPEATABLE,
    dnf_conjunction,
    dnf_values,
    merge_cost_arguments,
    print_value_str,
    record_access_control,
)
from router.composition.errors import CompositionIssue
from router.composition.fieldset import base_name
from router.composition.messages import mismatch, sanitize_graph_name, subgraph_list
from router.composition.model import Applied, SubField, Subgraph, SubType, type_str
from router.composition.output import (
    OutField,
    OutType,
    Supergraph,
    print_value,
    render_directive,
)
from router.composition.specs import (
    ACCESS_CONTROL,
    MERGED_SPEC_DIRECTIVES,
    join_version,
    parse_spec_url,
)

__all__ = ["FieldContext", "MergerBase", "Sources", "same_type"]


T = TypeVar("T")


Sources = list[T | None]  # one slot per subgraph, in subgraph order


def same_type(a: TypeNode, b: TypeNode) -> bool:
    return type_str(a) == type_str(b)


@dataclass(slots=True)
class FieldContext:
    used_overridden: set[int] = field(default_factory=set)
    unused_overridden: set[int] = field(default_factory=set)
    unknown_target: set[int] = field(default_factory=set)
    labels: dict[int, str] = field(default_factory=dict)

    def overridden(self, idx: int) -> bool:
        return idx in self.used_overridden or idx in self.unused_overridden


def _version(url: str | None) -> tuple[int, int]:
    spec = parse_spec_url(url) if url else None
    return spec[1] if spec else (0, 0)


class MergerBase:
    """Merge state and the rules shared by every kind of type (descriptions, directives, types)."""

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
                if not isinstance(node, DirectiveDefinitionNode):
                    continue
                url = next(
                    (u for u, (_, imports) in g.links.items() if name in imports.values()), None
                )
                # The newest version of the directive's spec provides the supergraph definition.
                if name not in result or _version(url) > _version(result[name][1]):
                    result[name] = (node, url)
        return result

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
                        record_access_control(extra, st, ac, interfaces_of.get(st.name, []))
        return extra

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
            merged = merge_cost_arguments(name, [p[0] for p in per_source])
            dest.append(render_directive(self.spec_local.get(name, name), merged))
            return
        dest.append(distinct[counts.index(max(counts))])

    def union_scopes(self, name: str, applications: list[Applied]) -> str:
        """Merge differing @requiresScopes/@policy the way Apollo does: a DNF conjunction."""
        arg = "scopes" if name == "requiresScopes" else "policies"
        values = [dnf_values(a.args.get(arg)) for a in applications]
        merged = dnf_conjunction(values)
        printed = ", ".join("[" + ", ".join(print_string(x) for x in c) + "]" for c in merged)
        return f"@{self.spec_local.get(name, name)}({arg}: [{printed}])"

    def is_repeatable(self, name: str) -> bool:
        if name in REPEATABLE:
            return True
        composed = self.composed.get(name)
        return bool(composed and composed[0].repeatable)

    def render_applied(self, a: Applied) -> str:
        name = self.spec_local.get(a.name, a.name)
        return render_directive(name, [(k, print_value(v)) for k, v in a.args.items()])

    def has_type(self, idx: int, name: str) -> bool:
        return name in self.graphs[idx].types

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
            if dest is None or same_type(dest, tn):
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
        return not same_type(sup, sub) and self.is_subtype(sup, sub)

    def is_subtype(self, sup: TypeNode, sub: TypeNode) -> bool:
        if same_type(sup, sub):
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

    def add_join_field(
        self,
        fs: Sources[SubField],
        t: OutType,
        out: OutField,
        all_equal: bool,
        ctx: FieldContext,
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
        self, fs: Sources[SubField], parent: str, all_equal: bool, ctx: FieldContext
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
