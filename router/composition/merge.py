"""Merge validated subgraphs into a supergraph following Apollo Federation 2's composition rules."""

from __future__ import annotations

from collections.abc import Sequence

from graphql import GraphQLError
from graphql.language import FieldNode, NonNullTypeNode

from router.composition.definitions import DefinitionsMixin
from router.composition.directives import print_value_str
from router.composition.errors import CompositionIssue
from router.composition.fieldset import parse_field_set
from router.composition.merge_base import Sources
from router.composition.merge_fields import FieldsMixin
from router.composition.merge_values import ValuesMixin
from router.composition.messages import KIND_NAMES, mismatch, subgraph_list
from router.composition.model import SubField, Subgraph, SubType
from router.composition.output import (
    OutArgument,
    OutField,
    OutType,
    Supergraph,
    render_directive,
)

__all__ = ["merge_subgraphs"]


class _Merger(FieldsMixin, ValuesMixin, DefinitionsMixin):
    """Apollo's `Merger`: types first, then deferred directives, then validations."""

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
                        else KIND_NAMES[st.kind]
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
        if t.name not in ("Query", "Mutation", "Subscription") and not any(
            s.has_definition for s in sources if s
        ):
            for idx, s in enumerate(sources):
                if s is not None:
                    self.err(
                        "EXTENSION_WITH_NO_BASE",
                        f'[{self.names[idx]}] Type "{t.name}" is an extension type, but there is no '
                        f'type definition for "{t.name}" in any subgraph.',
                    )
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

    def check_requires_arguments(self) -> None:
        """A @requires selection must give a value to every argument required in the supergraph."""
        for g in self.graphs:
            for st in g.types.values():
                for f in st.fields.values():
                    if f.requires is None:
                        continue
                    try:
                        selection = parse_field_set(f.requires)
                    except GraphQLError:
                        continue
                    for sel in selection.selections:
                        if isinstance(sel, FieldNode):
                            self.check_required_arguments(g, f, st.name, sel)

    def check_required_arguments(
        self, g: Subgraph, f: SubField, parent: str, sel: FieldNode
    ) -> None:
        out_type = self.out.types.get(parent)
        out_field = out_type.fields.get(sel.name.value) if out_type else None
        given = {a.name.value for a in sel.arguments or ()}
        for arg in out_field.args if out_field else ():
            if arg.name in given or not arg.type.endswith("!") or arg.default is not None:
                continue
            where = [
                other.name
                for other in self.graphs
                if other is not g
                and (of := other.field(parent, sel.name.value))
                and (oa := of.args.get(arg.name))
                and isinstance(oa.type, NonNullTypeNode)
            ]
            self.err(
                "REQUIRES_INVALID_FIELDS",
                f'[{g.name}] On field "{f.coordinate}", for @requires(fields: "{f.requires}"): no '
                f'value provided for argument "{arg.name}" of field "{parent}.{sel.name.value}" but '
                f'a value is mandatory as "{arg.name}" is required in {subgraph_list(where)}',
            )

    def post_merge_validations(self) -> None:
        self.check_inaccessible_references()
        self.check_requires_arguments()
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


def merge_subgraphs(graphs: Sequence[Subgraph]) -> tuple[Supergraph | None, list[CompositionIssue]]:
    """Merge validated subgraphs; return the supergraph or the composition errors."""
    merger = _Merger(graphs)
    result = merger.merge()
    return result, merger.errors
