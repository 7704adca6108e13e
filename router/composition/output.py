"""The composed supergraph before printing: plain records with directives already rendered."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql.language import ListValueNode, ObjectValueNode, StringValueNode, ValueNode, print_ast
from graphql.language.print_string import print_string

__all__ = [
    "OutArgument",
    "OutEnumValue",
    "OutField",
    "OutType",
    "Supergraph",
    "print_value",
    "render_directive",
]


def print_value(node: ValueNode) -> str:
    """A GraphQL literal as Apollo prints it (strings never as block strings)."""
    if isinstance(node, StringValueNode):
        return print_string(node.value)
    if isinstance(node, ListValueNode):
        return "[" + ", ".join(print_value(v) for v in node.values) + "]"
    if isinstance(node, ObjectValueNode):
        return "{" + ", ".join(f"{f.name.value}: {print_value(f.value)}" for f in node.fields) + "}"
    return print_ast(node)


def render_directive(name: str, args: list[tuple[str, str]]) -> str:
    """`@name(a: 1, b: "x")` from already-printed argument values."""
    if not args:
        return f"@{name}"
    return f"@{name}(" + ", ".join(f"{k}: {v}" for k, v in args) + ")"


@dataclass(slots=True)
class OutArgument:
    name: str
    type: str
    default: str | None = None
    description: str | None = None
    directives: list[str] = field(default_factory=list)


@dataclass(slots=True)
class OutField:
    name: str
    type: str = ""
    description: str | None = None
    args: list[OutArgument] = field(default_factory=list)
    default: str | None = None  # input fields
    directives: list[str] = field(default_factory=list)


@dataclass(slots=True)
class OutEnumValue:
    name: str
    description: str | None = None
    directives: list[str] = field(default_factory=list)


@dataclass(slots=True)
class OutType:
    name: str
    kind: str
    description: str | None = None
    directives: list[str] = field(default_factory=list)
    interfaces: list[str] = field(default_factory=list)
    fields: dict[str, OutField] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)
    values: dict[str, OutEnumValue] = field(default_factory=dict)


@dataclass(slots=True)
class Supergraph:
    links: list[str] = field(default_factory=list)  # rendered @link applications on `schema`
    schema_directives: list[str] = field(default_factory=list)
    schema_description: str | None = None
    roots: dict[str, str] = field(default_factory=dict)
    directive_definitions: list[tuple[str, str]] = field(default_factory=list)  # (name, text)
    extra_types: list[tuple[str, str]] = field(default_factory=list)  # spec types (name, text)
    types: dict[str, OutType] = field(default_factory=dict)
