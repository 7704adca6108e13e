"""Parse a Federation 2 subgraph SDL into the normalised `Subgraph` model composition works on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graphql import GraphQLError, parse
from graphql.language import (
    BooleanValueNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListTypeNode,
    ListValueNode,
    NamedTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ObjectValueNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    TypeNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    ValueNode,
)

from router.composition.errors import CompositionIssue
from router.composition.model import (
    Applied,
    Key,
    SubArgument,
    SubEnumValue,
    SubField,
    Subgraph,
    SubType,
)
from router.composition.sdl_rules import graphql_errors
from router.composition.specs import (
    FEDERATION_DIRECTIVE_VERSIONS,
    FEDERATION_URL,
    MERGED_SPEC_DIRECTIVES,
    parse_spec_url,
)

__all__ = ["SubgraphSource", "parse_subgraph"]

_BUILTIN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})
_BUILTIN_DIRECTIVES = frozenset({"deprecated", "specifiedBy", "oneOf"})
_DEFAULT_ROOTS = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}
_FEDERATION_TYPES = frozenset({"_Service", "_Any", "_Entity"})
# Federation directives whose supergraph encoding (contextArguments, join__directive) we do not emit.
_UNSUPPORTED = frozenset({"context", "fromContext", "cacheTag"})
_FEDERATION_ROOT_FIELDS = frozenset({"_service", "_entities"})

_KINDS: dict[type, str] = {
    ObjectTypeDefinitionNode: "object",
    ObjectTypeExtensionNode: "object",
    InterfaceTypeDefinitionNode: "interface",
    InterfaceTypeExtensionNode: "interface",
    UnionTypeDefinitionNode: "union",
    UnionTypeExtensionNode: "union",
    EnumTypeDefinitionNode: "enum",
    EnumTypeExtensionNode: "enum",
    InputObjectTypeDefinitionNode: "input",
    InputObjectTypeExtensionNode: "input",
    ScalarTypeDefinitionNode: "scalar",
    ScalarTypeExtensionNode: "scalar",
}


@dataclass(frozen=True, slots=True)
class SubgraphSource:
    """A subgraph to compose: its name (unique), routing url and Federation 2 SDL."""

    name: str
    url: str
    sdl: str


class _Invalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.issue = CompositionIssue(code, message)


def _string(value: ValueNode | None) -> str | None:
    return value.value if isinstance(value, StringValueNode) else None


def _args(node: DirectiveNode) -> dict[str, ValueNode]:
    return {a.name.value: a.value for a in node.arguments or ()}


@dataclass(slots=True)
class _Names:
    """How this subgraph spells federation directives and which names belong to linked specs."""

    fed_version: tuple[int, int]
    directives: dict[str, str]  # local directive name -> canonical federation name
    machinery_types: set[str]  # type names that belong to federation/link (stripped)
    machinery_prefixes: tuple[str, ...]
    links: dict[str, tuple[str, dict[str, str]]]
    foreign: set[str]  # directive names provided by other @link-ed specs


def _link_imports(value: ValueNode | None) -> list[tuple[str, str]]:
    """`import: ["@a", {name: "@b", as: "@c"}, "T"]` -> [(name, local name)]."""
    result: list[tuple[str, str]] = []
    if not isinstance(value, ListValueNode):
        return result
    for item in value.values:
        if isinstance(item, StringValueNode):
            result.append((item.value, item.value))
        elif isinstance(item, ObjectValueNode):
            fields = {f.name.value: _string(f.value) for f in item.fields}
            name = fields.get("name")
            if name:
                result.append((name, fields.get("as") or name))
    return result


def _resolve_names(name: str, schema_directives: Sequence[DirectiveNode]) -> _Names:
    fed: tuple[tuple[int, int], str, list[tuple[str, str]]] | None = None
    links: dict[str, tuple[str, dict[str, str]]] = {}
    prefixes = ["link__"]
    for d in schema_directives:
        if d.name.value != "link":
            continue
        args = _args(d)
        url = _string(args.get("url")) or ""
        alias = _string(args.get("as"))
        m = FEDERATION_URL.match(url)
        imports = _link_imports(args.get("import"))
        if m:
            fed = ((int(m[1]), int(m[2])), alias or "federation", imports)
            continue
        spec = parse_spec_url(url)
        if spec is None:
            continue
        namespace = alias or spec[0]
        if namespace != "link":
            links[url] = (namespace, {n.lstrip("@"): local.lstrip("@") for n, local in imports})
        prefixes.append(f"{namespace}__")
    if fed is None:
        raise _Invalid(
            "UNSUPPORTED_FEDERATION_VERSION",
            f'[{name}] Subgraph "{name}" is not a Federation 2 schema (no `@link(url: '
            '"https://specs.apollo.dev/federation/v2.x")`): Federation 1 subgraphs are not supported, '
            "add `extend schema @link(...)` importing the federation directives it uses.",
        )
    version, namespace, imports = fed
    available = {n for n, since in FEDERATION_DIRECTIVE_VERSIONS.items() if since <= version}
    imported_names = {i[1:] for i, _ in imports if i.startswith("@")}
    # Imported directives are only reachable by their imported name, the others by namespace.
    directives = {f"{namespace}__{n}": n for n in available - imported_names}
    machinery = set(_FEDERATION_TYPES)
    for imported, local in imports:
        if imported.startswith("@"):
            canonical = imported[1:]
            if canonical not in available:
                raise _Invalid(
                    "INVALID_LINK_DIRECTIVE_USAGE",
                    f'[{name}] Cannot import unknown element "{imported}".',
                )
            directives[local[1:]] = canonical
        else:
            machinery.add(local)
    prefixes.append(f"{namespace}__")
    foreign = {local for _, imports_ in links.values() for local in imports_.values()}
    return _Names(version, directives, machinery, tuple(prefixes), links, foreign)


class _Builder:
    def __init__(self, source: SubgraphSource, doc: DocumentNode) -> None:
        self.source = source
        self.doc = doc
        schema_nodes = [
            n for n in doc.definitions if isinstance(n, SchemaDefinitionNode | SchemaExtensionNode)
        ]
        self.schema_directive_nodes = [d for n in schema_nodes for d in n.directives or ()]
        self.names = _resolve_names(source.name, self.schema_directive_nodes)
        self.renames: dict[str, str] = {}
        defined = {n.name.value for n in doc.definitions if isinstance(n, TypeDefinitionNode)}
        for n in schema_nodes:
            for op in n.operation_types or ():
                kind = op.operation.value
                root, default = op.type.name.value, _DEFAULT_ROOTS[kind]
                if root != default and default in defined:
                    raise _Invalid(
                        f"ROOT_{kind.upper()}_USED",
                        f'[{source.name}] The schema has a type named "{default}" but it is not set '
                        f'as the {kind} root type ("{root}" is instead): this is not supported by '
                        "federation. If a root type does not use its default name, there should be "
                        "no other type with that default name.",
                    )
                if root in self.renames:
                    raise _Invalid(
                        "INVALID_GRAPHQL",
                        f'[{source.name}] Type "{root}" cannot be the root of several operations.',
                    )
                self.renames[root] = default
        self.graph = Subgraph(source.name, source.url, self.names.fed_version)
        self.graph.links = self.names.links
        self.block_counter: dict[str, int] = {}
        self.defined_directives = {
            n.name.value for n in doc.definitions if isinstance(n, DirectiveDefinitionNode)
        }

    # -- names -------------------------------------------------------------------------------
    def is_machinery_type(self, name: str) -> bool:
        return name in self.names.machinery_types or name.startswith(self.names.machinery_prefixes)

    def rename(self, name: str) -> str:
        return self.renames.get(name, name)

    def retype(self, node: TypeNode) -> TypeNode:
        if isinstance(node, NonNullTypeNode):
            return NonNullTypeNode(type=self.retype(node.type))
        if isinstance(node, ListTypeNode):
            return ListTypeNode(type=self.retype(node.type))
        assert isinstance(node, NamedTypeNode)
        return NamedTypeNode(name=type(node.name)(value=self.rename(node.name.value)))

    def canonical(self, directive: str) -> str | None:
        return self.names.directives.get(directive)

    # -- building ------------------------------------------------------------------------------
    def build(self) -> Subgraph:
        g = self.graph
        for d in self.schema_directive_nodes:
            if self.canonical(d.name.value) == "composeDirective":
                name = _string(_args(d).get("name"))
                if name:
                    g.composed_directives.append(name.lstrip("@"))
        g.schema_directives = self.merged_directives(self.schema_directive_nodes)
        g.types["Query"] = SubType("Query", "object", has_definition=True)
        for node in self.doc.definitions:
            if isinstance(node, TypeDefinitionNode | TypeExtensionNode):
                self.add_type(node)
            elif isinstance(node, DirectiveDefinitionNode):
                self.add_directive_definition(node)
        for t in g.types.values():
            # @external on any block of a type applies to all the type's fields.
            for f in t.fields.values() if t.external_blocks else ():
                f.external = True
        for kind, default in _DEFAULT_ROOTS.items():
            if default in g.types:
                g.roots[kind] = default
        return g

    def add_directive_definition(self, node: DirectiveDefinitionNode) -> None:
        name = node.name.value
        if name == "link" or self.canonical(name) is not None or name in _BUILTIN_DIRECTIVES:
            return
        if name.startswith(self.names.machinery_prefixes):
            return
        self.graph.directive_defs[name] = node

    # One branch per kind of type definition/extension node: splitting it would scatter the walk.
    def add_type(self, node: TypeDefinitionNode | TypeExtensionNode) -> None:  # noqa: PLR0912
        raw_name = node.name.value
        name = self.rename(raw_name)
        kind = _KINDS[type(node)]
        if name in _BUILTIN_SCALARS and kind != "scalar":
            raise _Invalid(
                "INVALID_GRAPHQL",
                f'[{self.source.name}] Type "{name}" is a built-in scalar and cannot be redefined '
                f"as {'an' if kind[0] in 'aeiou' else 'a'} {kind} type.",
            )
        if (
            raw_name.startswith("__")
            or name in _BUILTIN_SCALARS
            or self.is_machinery_type(raw_name)
        ):
            return
        t = self.graph.types.get(name)
        if t is None:
            t = self.graph.types[name] = SubType(name, kind)
        elif t.kind != kind:
            raise _Invalid(
                "INVALID_GRAPHQL",
                f'[{self.source.name}] Type "{name}" is defined as both a {t.kind} and a {kind}.',
            )
        is_extension = isinstance(node, TypeExtensionNode)
        if is_extension:
            t.has_extension = True
            block = self.block_counter[name] = self.block_counter.get(name, 0) + 1
        else:
            if t.has_definition and name != "Query":
                raise _Invalid(
                    "INVALID_GRAPHQL",
                    f'[{self.source.name}] There can be only one type named "{name}".',
                )
            t.has_definition = True
            block = 0
            desc = getattr(node, "description", None)
            if desc is not None:
                t.description = desc.value
        keys_before = len(t.keys)
        for d in node.directives or ():
            self.type_directive(t, d, block, is_extension)
        if t.extends:
            for k in t.keys[keys_before:]:
                k.extension = True
        if isinstance(
            node,
            ObjectTypeDefinitionNode
            | ObjectTypeExtensionNode
            | InterfaceTypeDefinitionNode
            | InterfaceTypeExtensionNode,
        ):
            for i in node.interfaces or ():
                iname = self.rename(i.name.value)
                if iname not in t.interfaces:
                    t.interfaces.append(iname)
            for f in node.fields or ():
                self.add_field(t, f, block)
        elif isinstance(node, InputObjectTypeDefinitionNode | InputObjectTypeExtensionNode):
            for input_field in node.fields or ():
                self.add_field(t, input_field, block)
        elif isinstance(node, UnionTypeDefinitionNode | UnionTypeExtensionNode):
            for m in node.types or ():
                mname = self.rename(m.name.value)
                if mname not in t.members:
                    t.members.append(mname)
        elif isinstance(node, EnumTypeDefinitionNode | EnumTypeExtensionNode):
            for v in node.values or ():
                value = SubEnumValue(v.name.value, v.description.value if v.description else None)
                value.directives = self.merged_directives(v.directives or ())
                # A repeated value is folded into its first definition, as Apollo's builder does.
                t.values.setdefault(value.name, value)

    def type_directive(self, t: SubType, d: DirectiveNode, block: int, is_extension: bool) -> None:
        canonical = self.canonical(d.name.value)
        args = _args(d)
        if canonical == "key":
            fields = _string(args.get("fields"))
            if fields is None:
                raise _Invalid(
                    "KEY_INVALID_FIELDS_TYPE",
                    f'[{self.source.name}] On type "{t.name}", for @{d.name.value}: Invalid value '
                    'for argument "fields": must be a string.',
                )
            resolvable = args.get("resolvable")
            t.keys.append(
                Key(
                    fields,
                    resolvable.value if isinstance(resolvable, BooleanValueNode) else None,
                    is_extension,
                )
            )
        elif canonical == "extends":
            t.extends = True
            for k in t.keys:
                k.extension = True
        elif canonical == "interfaceObject":
            t.interface_object = True
        elif canonical == "external":
            t.external_blocks.add(block)
        elif canonical == "shareable":
            t.shareable_blocks.add(block)
        else:
            t.directives.extend(self.merged_directives([d]))

    def check_known(self, local: str) -> None:
        known = (
            self.canonical(local) is not None
            or local in _BUILTIN_DIRECTIVES
            or local in ("link", "include", "skip")
            or local in self.defined_directives
            or local in self.names.foreign
            or local.startswith(self.names.machinery_prefixes)
        )
        if not known:
            raise _Invalid("INVALID_GRAPHQL", f'[{self.source.name}] Unknown directive "@{local}".')

    def merged_directives(self, nodes: Iterable[DirectiveNode]) -> list[Applied]:
        """The applications composition carries over: composed spec directives, built-ins, custom."""
        result: list[Applied] = []
        for d in nodes:
            local = d.name.value
            self.check_known(local)
            canonical = self.canonical(local)
            if canonical in _UNSUPPORTED:
                raise _Invalid(
                    "UNSUPPORTED_FEATURE",
                    f'[{self.source.name}] "@{local}" is not supported by this composition yet '
                    "(compose with Apollo's `rover supergraph compose` instead).",
                )
            if canonical in MERGED_SPEC_DIRECTIVES:
                self.graph.spec_directive_names[canonical] = local
                result.append(Applied(canonical, _args(d)))
            elif canonical is None and (
                local in _BUILTIN_DIRECTIVES or local in self.graph.composed_directives
            ):
                result.append(Applied(local, _args(d)))
        return result

    def field_directive(self, f: SubField, d: DirectiveNode) -> None:
        canonical = self.canonical(d.name.value)
        args = _args(d)
        if canonical == "external":
            f.external = f.external_on_field = True
        elif canonical == "shareable":
            if self.graph.types[f.parent].kind == "interface":
                raise _Invalid(
                    "INVALID_SHAREABLE_USAGE",
                    f'[{self.source.name}] Invalid use of @shareable on field "{f.coordinate}": '
                    "only object type fields can be marked with @shareable",
                )
            f.shareable = True
        elif canonical == "requires":
            f.requires = _string(args.get("fields"))
        elif canonical == "provides":
            f.provides = _string(args.get("fields"))
        elif canonical == "override":
            f.override = _string(args.get("from"))
            f.override_label = _string(args.get("label"))
        else:
            f.directives.extend(self.merged_directives([d]))

    def add_field(
        self, t: SubType, node: FieldDefinitionNode | InputValueDefinitionNode, block: int
    ) -> None:
        name = node.name.value
        if t.name == "Query" and name in _FEDERATION_ROOT_FIELDS:
            return
        if name in t.fields:
            raise _Invalid(
                "INVALID_GRAPHQL",
                f'[{self.source.name}] Field "{t.name}.{name}" can only be defined once.',
            )
        f = SubField(
            name,
            t.name,
            self.retype(node.type),
            node.description.value if node.description else None,
            block,
        )
        if isinstance(node, InputValueDefinitionNode):
            f.default = node.default_value
        else:
            for a in node.arguments or ():
                f.args[a.name.value] = SubArgument(
                    a.name.value,
                    self.retype(a.type),
                    a.default_value,
                    a.description.value if a.description else None,
                    self.merged_directives(a.directives or ()),
                )
        for d in node.directives or ():
            self.field_directive(f, d)
        if block in t.external_blocks:
            f.external = True
        if block in t.shareable_blocks:
            f.shareable = True
        t.fields[name] = f


def parse_subgraph(source: SubgraphSource) -> Subgraph:
    """Parse and normalise one subgraph; raise `_Invalid`-carrying `CompositionError` on bad input."""
    from router.composition.errors import CompositionError

    try:
        doc = parse(source.sdl, no_location=True)
    except GraphQLError as e:
        raise CompositionError(
            [CompositionIssue("INVALID_GRAPHQL", f"[{source.name}] {e.message}")]
        ) from None
    try:
        builder = _Builder(source, doc)
        invalid = graphql_errors(doc, builder.names.directives)
        if invalid:
            raise CompositionError(
                [CompositionIssue("INVALID_GRAPHQL", f"[{source.name}] {m}") for m in invalid]
            )
        return builder.build()
    except _Invalid as e:
        raise CompositionError([e.issue]) from None
