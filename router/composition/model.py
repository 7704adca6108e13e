"""The normalised view of one subgraph that composition works on (federation directives resolved)."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql.language import TypeNode, ValueNode, print_ast

__all__ = [
    "Applied",
    "Key",
    "SubArgument",
    "SubEnumValue",
    "SubField",
    "SubType",
    "Subgraph",
    "type_str",
]

# Block index of the type definition; extensions get 1, 2, ... in source order.
DEFINITION_BLOCK = 0


def type_str(node: TypeNode) -> str:
    return print_ast(node)


@dataclass(slots=True)
class Applied:
    """A directive application; `name` is its name in the supergraph (federation names canonical)."""

    name: str
    args: dict[str, ValueNode]


@dataclass(slots=True)
class Key:
    fields: str
    resolvable: bool | None  # None when not given explicitly (Apollo prints it only if given)
    extension: bool


@dataclass(slots=True)
class SubArgument:
    name: str
    type: TypeNode
    default: ValueNode | None
    description: str | None
    directives: list[Applied] = field(default_factory=list)


@dataclass(slots=True)
class SubField:
    name: str
    parent: str
    type: TypeNode
    description: str | None
    block: int
    args: dict[str, SubArgument] = field(default_factory=dict)
    default: ValueNode | None = None  # input fields only
    directives: list[Applied] = field(default_factory=list)  # merged (pass-through) directives
    external: bool = False  # @external on the field or on its type
    external_on_field: bool = False  # @external written on the field itself
    shareable: bool = False  # computed: @shareable, key field, or provided external
    requires: str | None = None
    provides: str | None = None
    override: str | None = None
    override_label: str | None = None

    @property
    def coordinate(self) -> str:
        return f"{self.parent}.{self.name}"


@dataclass(slots=True)
class SubEnumValue:
    name: str
    description: str | None
    directives: list[Applied] = field(default_factory=list)


@dataclass(slots=True)
class SubType:
    name: str
    kind: str  # object | interface | union | enum | input | scalar
    description: str | None = None
    has_definition: bool = False
    has_extension: bool = False
    extends: bool = False  # @extends applied
    interface_object: bool = False
    external_blocks: set[int] = field(default_factory=set)
    shareable_blocks: set[int] = field(default_factory=set)
    directives: list[Applied] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)
    fields: dict[str, SubField] = field(default_factory=dict)
    interfaces: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    values: dict[str, SubEnumValue] = field(default_factory=dict)

    @property
    def merge_kind(self) -> str:
        """The kind this type contributes to the supergraph (an @interfaceObject is an interface)."""
        return "interface" if self.interface_object else self.kind


@dataclass(slots=True)
class Subgraph:
    name: str
    url: str
    fed_version: tuple[int, int]
    types: dict[str, SubType] = field(default_factory=dict)
    roots: dict[str, str] = field(default_factory=dict)  # operation -> type name (normalised)
    schema_directives: list[Applied] = field(default_factory=list)
    # Directive definitions that are not federation/link machinery, by name (AST kept for merging).
    directive_defs: dict[str, object] = field(default_factory=dict)
    composed_directives: list[str] = field(default_factory=list)  # via @composeDirective
    # Non-federation @link features: url -> (namespace, {name in spec: local name})
    links: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    # Local name of each composed federation directive (tag, inaccessible, ...) as imported here.
    spec_directive_names: dict[str, str] = field(default_factory=dict)
    provided: set[str] = field(default_factory=set)  # coordinates selected by some @provides
    used: set[str] = field(default_factory=set)  # coordinates used by @key/@requires/@provides

    def fully_external(self, f: SubField) -> bool:
        return f.external and f.coordinate not in self.provided

    def field(self, type_name: str, field_name: str) -> SubField | None:
        t = self.types.get(type_name)
        return t.fields.get(field_name) if t else None

    def implementations(self, interface: str) -> list[SubType]:
        return [
            t
            for t in self.types.values()
            if t.kind in ("object", "interface") and interface in t.interfaces
        ]
