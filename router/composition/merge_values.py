"""Merging unions, enums (by input/output usage) and input objects."""

from __future__ import annotations

from graphql.language import (
    NonNullTypeNode,
)

from router.composition.merge_base import FieldContext, MergerBase, Sources
from router.composition.messages import subgraph_list
from router.composition.model import SubType, type_str
from router.composition.output import (
    OutEnumValue,
    OutField,
    OutType,
)

__all__ = ["ValuesMixin"]


class ValuesMixin(MergerBase):
    """Unions (member union), enums (by usage) and input objects (field intersection)."""

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
            self.add_join_field(fs, t, out, all_equal, FieldContext())
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
