"""Merging object and interface fields: arguments, @external, @override, sharing."""

from __future__ import annotations

import re

from graphql.language import (
    NonNullTypeNode,
    TypeNode,
    parse_type,
)

from router.composition.merge_base import FieldContext, MergerBase, Sources, same_type
from router.composition.messages import mismatch, subgraph_list
from router.composition.model import SubArgument, SubField, SubType, type_str
from router.composition.output import OutArgument, OutField, OutType, print_value

__all__ = ["FieldsMixin"]


_LABEL = re.compile(r"^[a-zA-Z][a-zA-Z0-9_\-:./]*$")


_PERCENT = re.compile(r"^percent\((\d{1,2}(\.\d{1,8})?|100)\)$")


def _labelled_subgraphs(labels: list[str]) -> str:
    if len(labels) == 1:
        return "subgraph " + labels[0]
    return "subgraphs " + ", ".join(labels[:-1]) + " and " + labels[-1]


class FieldsMixin(MergerBase):
    """Objects and interfaces: fields, arguments, @external, @override and @shareable rules."""

    def merge_object(self, sources: Sources[SubType], t: OutType) -> None:
        added = self.field_sources(sources, t)
        if not added:
            del self.out.types[t.name]
            return
        for name, fs in added.items():
            ctx = self.validate_override(fs, t, name)
            if t.name == "Subscription" and any(f.shareable for f in fs if f):
                self.err(
                    "INVALID_FIELD_SHARING",
                    "Fields on root level subscription object cannot be marked as shareable",
                )
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
    ) -> FieldContext:
        ctx = FieldContext()
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

    def merge_field(self, fs: Sources[SubField], t: OutType, name: str, ctx: FieldContext) -> None:
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
                same_type(merged, f.type)
                or (not all_equal and self.is_strict_subtype(merged, f.type))
            ):
                bad_type = True
            for a in out.args:
                sub_arg = f.args.get(a.name)
                if sub_arg is None:
                    if a.name not in missing_args:
                        missing_args.append(a.name)
                    continue
                self.validate_external_argument(coordinate, a, sub_arg)
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

    def validate_external_argument(
        self, coordinate: str, merged: OutArgument, sub_arg: SubArgument
    ) -> None:
        arg_coordinate = f"{coordinate}({merged.name}:)"
        merged_type = parse_type(merged.type, no_location=True)
        if not same_type(merged_type, sub_arg.type) and not self.is_strict_subtype(
            sub_arg.type, merged_type
        ):
            self.err(
                "EXTERNAL_ARGUMENT_TYPE_MISMATCH",
                f'Type of argument "{arg_coordinate}" is incompatible across subgraphs (where '
                f'"{coordinate}" is marked @external): it has type "{merged.type}" in the '
                f'supergraph but type "{type_str(sub_arg.type)}" where it is external',
            )
        default = print_value(sub_arg.default) if sub_arg.default is not None else None
        if default != merged.default:
            self.err(
                "EXTERNAL_ARGUMENT_DEFAULT_MISMATCH",
                f'Argument "{arg_coordinate}" has incompatible defaults across subgraphs (where '
                f'"{coordinate}" is marked @external)',
            )

    def validate_sharing(
        self, fs: Sources[SubField], t: OutType, name: str, ctx: FieldContext
    ) -> None:
        shareable: list[str] = []
        non_shareable: list[tuple[int, str]] = []
        resolving: list[str] = []
        for idx, f in enumerate(fs):
            candidates: list[tuple[SubField, str]] = []
            if f is None:
                # A field may also be resolved through an @interfaceObject of an interface.
                for abstract in self.abstracted_fields(t, name, idx):
                    label = f'"{self.names[idx]}" (through @interfaceObject field "{abstract.coordinate}")'
                    candidates.append((abstract, label))
            elif not ctx.overridden(idx):
                candidates.append((f, f'"{self.names[idx]}"'))
            for field_, label in candidates:
                if self.graphs[idx].fully_external(field_):
                    continue
                resolving.append(label)
                if field_.shareable:
                    shareable.append(label)
                else:
                    non_shareable.append((idx, label))
        if non_shareable and (shareable or len(non_shareable) > 1):
            labels = [label for _, label in non_shareable]
            where = _labelled_subgraphs(labels) if shareable else "all of them"
            extra = ""
            unknown = next((i for i, _ in non_shareable if i in ctx.unknown_target), None)
            if unknown is not None:
                extra = (
                    f' (please note that "{t.name}.{name}" has an @override directive in '
                    f'"{self.names[unknown]}" that targets an unknown subgraph so this could be due '
                    "to misspelling the @override(from:) argument)"
                )
            self.err(
                "INVALID_FIELD_SHARING",
                f'Non-shareable field "{t.name}.{name}" is resolved from multiple subgraphs: it is '
                f"resolved from {_labelled_subgraphs(resolving)} and defined as "
                f"non-shareable in {where}{extra}",
            )

    def abstracted_fields(self, t: OutType, name: str, idx: int) -> list[SubField]:
        """Apollo's `fieldsInSourceIfAbstractedByInterfaceObject` for a subgraph lacking `t`."""
        g = self.graphs[idx]
        if t.kind != "object" or t.name in g.types:
            return []
        result = []
        for itf in t.interfaces:
            st = g.types.get(itf)
            if st is not None and st.interface_object and name in st.fields:
                result.append(st.fields[name])
        return result
