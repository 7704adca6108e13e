"""Print a `Supergraph` exactly like Apollo's `printSchema` with shallow definition ordering."""

from __future__ import annotations

from router.composition.collation import locale_key
from router.composition.output import OutArgument, OutField, OutType, Supergraph

__all__ = ["print_directive_definition", "print_supergraph", "print_type"]

_INDENT = "  "
_KEYWORDS = {
    "object": "type",
    "interface": "interface",
    "union": "union",
    "enum": "enum",
    "input": "input",
    "scalar": "scalar",
}


def _block_string(value: str, prefer_multiple_lines: bool) -> str:
    is_single_line = "\n" not in value
    has_leading_space = value[:1] in (" ", "\t")
    multiple = not is_single_line or value.endswith(('"', "\\")) or prefer_multiple_lines
    result = ""
    if multiple and not (is_single_line and has_leading_space):
        result += "\n"
    result += value
    if multiple:
        result += "\n"
    return '"""' + result.replace('"""', '\\"""') + '"""'


def _description(desc: str | None, indentation: str = "", first_in_block: bool = True) -> str:
    if desc is None:
        return ""
    block = _block_string(desc, len(desc) > 70)
    prefix = "\n" + indentation if indentation and not first_in_block else indentation
    return prefix + block.replace("\n", "\n" + indentation) + "\n"


def _directives(
    directives: list[str], on_new_lines: bool = False, end_newline: bool = False
) -> str:
    if not directives:
        return ""
    if on_new_lines:
        return "\n" + _INDENT + ("\n" + _INDENT).join(directives) + ("\n" if end_newline else "")
    return " " + " ".join(directives)


def _args(args: list[OutArgument], indentation: str = "") -> str:
    if not args:
        return ""
    if all(not a.description for a in args):
        return "(" + ", ".join(_arg(a) for a in args) + ")"
    lines = [
        _description(a.description, "  " + indentation, i == 0) + "  " + indentation + _arg(a)
        for i, a in enumerate(args)
    ]
    return "(\n" + "\n".join(lines) + "\n" + indentation + ")"


def _arg(a: OutArgument) -> str:
    default = f" = {a.default}" if a.default is not None else ""
    return f"{a.name}: {a.type}{default}{_directives(a.directives)}"


def _field(f: OutField, is_input: bool) -> str:
    args = "" if is_input else _args(f.args, _INDENT)
    default = f" = {f.default}" if is_input and f.default is not None else ""
    return f"{f.name}{args}: {f.type}{default}"


def _block(items: list[str]) -> str:
    return "{\n" + "\n".join(items) + "\n}" if items else ""


def _fields(fields: list[OutField], is_input: bool) -> str:
    return _block(
        [
            _description(f.description, _INDENT, i == 0)
            + _INDENT
            + _field(f, is_input)
            + _directives(f.directives)
            for i, f in enumerate(fields)
        ]
    )


def print_type(t: OutType) -> str:
    head = _description(t.description) + _KEYWORDS[t.kind] + " " + t.name
    if t.kind == "scalar":
        return head + _directives(t.directives, True, False)
    if t.kind in ("object", "interface"):
        fields = list(t.fields.values())
        impl = " implements " + " & ".join(t.interfaces) if t.interfaces else ""
        return (
            head
            + impl
            + _directives(t.directives, True, bool(fields))
            + (" " if not t.directives and fields else "")
            + _fields(fields, False)
        )
    if t.kind == "input":
        fields = list(t.fields.values())
        return (
            head
            + _directives(t.directives, True, bool(fields))
            + (" " if not t.directives and fields else "")
            + _fields(fields, True)
        )
    if t.kind == "union":
        members = " = " + " | ".join(t.members) if t.members else ""
        return head + _directives(t.directives, True, bool(t.members)) + members
    values = [
        _description(v.description, _INDENT, i == 0) + _INDENT + v.name + _directives(v.directives)
        for i, v in enumerate(t.values.values())
    ]
    return (
        head
        + _directives(t.directives, True, bool(values))
        + (" " if not t.directives and values else "")
        + _block(values)
    )


def print_directive_definition(
    name: str,
    args: list[OutArgument],
    repeatable: bool,
    locations: list[str],
    description: str | None = None,
) -> str:
    """A directive definition as Apollo's `printDirectiveDefinition` writes it."""
    return (
        _description(description)
        + f"directive @{name}{_args(args)}"
        + (" repeatable" if repeatable else "")
        + " on "
        + " | ".join(locations)
    )


def print_supergraph(s: Supergraph) -> str:
    """The supergraph SDL text, definitions ordered by name as Apollo orders them."""
    roots = [f"{_INDENT}{kind}: {name}" for kind, name in s.roots.items()]
    applied = s.links + s.schema_directives
    schema = (
        _description(s.schema_description)
        + "schema"
        + _directives(applied, True, bool(roots))
        + ("" if applied else " ")
        + _block(roots)
    )
    directives = sorted(s.directive_definitions, key=lambda d: locale_key(d[0]))
    types = [(t.name, print_type(t)) for t in s.types.values()] + s.extra_types
    types.sort(key=lambda d: locale_key(d[0]))
    return "\n\n".join([schema] + [d for _, d in directives] + [t for _, t in types])
