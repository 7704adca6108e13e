"""Read a federation supergraph SDL (`@join__*` directives, join v0.1-v0.5) into a queryable model."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    EnumValueNode,
    GraphQLCompositeType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    SelectionSetNode,
    StringValueNode,
    build_ast_schema,
    parse,
)

__all__ = ["FieldJoin", "Graph", "Key", "Supergraph", "parse_field_set"]


@dataclass(frozen=True, slots=True)
class Graph:
    """One subgraph: its enum value in `join__Graph`, its name and its routing URL."""

    enum_value: str
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class Key:
    """An `@key` of a type in one graph."""

    graph: str
    fields: str
    selection: SelectionSetNode
    resolvable: bool


@dataclass(frozen=True, slots=True)
class FieldJoin:
    """One `@join__field` application (or the implicit one when the field has none)."""

    graph: str | None
    requires: SelectionSetNode | None = None
    provides: SelectionSetNode | None = None
    external: bool = False
    override: str | None = None
    used_overridden: bool = False


@dataclass(slots=True)
class _TypeJoin:
    graphs: list[str] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)
    interface_object: set[str] = field(default_factory=set)
    implements: dict[str, set[str]] = field(default_factory=dict)  # graph -> interfaces
    union_members: dict[str, set[str]] = field(default_factory=dict)  # graph -> members


def parse_field_set(fields: str) -> SelectionSetNode:
    """Parse a `join__FieldSet` string (`"id sku { x }"`) into a selection set."""
    document = parse("{" + fields + "}", no_location=True)
    return document.definitions[0].selection_set  # type: ignore[attr-defined,no-any-return]


def _args(directive: DirectiveNode) -> dict[str, object]:
    values: dict[str, object] = {}
    for arg in directive.arguments or ():
        values[arg.name.value] = _literal(arg)
    return values


def _literal(arg: ArgumentNode) -> object:
    value = arg.value
    if isinstance(value, StringValueNode | EnumValueNode):
        return value.value
    if isinstance(value, BooleanValueNode):
        return value.value
    return None


class Supergraph:
    """The supergraph schema plus who-resolves-what, answered in O(1) for the planner."""

    def __init__(self, sdl: str) -> None:
        self.sdl = sdl
        self.document: DocumentNode = parse(sdl, no_location=True)
        self.schema: GraphQLSchema = build_ast_schema(self.document, assume_valid_sdl=True)
        self.graphs: dict[str, Graph] = {}
        self._by_enum: dict[str, str] = {}
        self._types: dict[str, _TypeJoin] = {}
        self._fields: dict[tuple[str, str], list[FieldJoin]] = {}
        self._read_graphs()
        self._read_types()

    # -- reading ---------------------------------------------------------------------------
    def _read_graphs(self) -> None:
        enum = self.schema.type_map.get("join__Graph")
        if enum is None:
            raise ValueError("not a supergraph: the join__Graph enum is missing")
        for definition in self.document.definitions:
            if getattr(definition, "name", None) is None or definition.name.value != "join__Graph":  # type: ignore[attr-defined]
                continue
            for value in getattr(definition, "values", None) or ():
                for directive in value.directives or ():
                    if directive.name.value == "join__graph":
                        args = _args(directive)
                        graph = Graph(
                            value.name.value, str(args["name"]), str(args.get("url") or "")
                        )
                        self.graphs[graph.name] = graph
                        self._by_enum[graph.enum_value] = graph.name

    def _graph(self, enum_value: object) -> str | None:
        return None if enum_value is None else self._by_enum.get(str(enum_value))

    def _read_types(self) -> None:
        for definition in self.document.definitions:
            name_node = getattr(definition, "name", None)
            if name_node is None or not hasattr(definition, "directives"):
                continue
            type_name = name_node.value
            if type_name not in self.schema.type_map:
                continue
            join = self._types.setdefault(type_name, _TypeJoin())
            self._read_type_directives(type_name, join, definition.directives or ())
            for field_node in getattr(definition, "fields", None) or ():
                joins = [
                    self._field_join(d)
                    for d in field_node.directives or ()
                    if d.name.value == "join__field"
                ]
                if joins:
                    self._fields.setdefault((type_name, field_node.name.value), []).extend(joins)

    def _read_type_directives(
        self, type_name: str, join: _TypeJoin, directives: Iterable[DirectiveNode]
    ) -> None:
        for directive in directives:
            args = _args(directive)
            graph = self._graph(args.get("graph"))
            name = directive.name.value
            if graph is None:
                continue
            if name in ("join__type", "join__owner"):
                if graph not in join.graphs:
                    join.graphs.append(graph)
                key = args.get("key")
                if key:
                    join.keys.append(
                        Key(
                            graph,
                            str(key),
                            parse_field_set(str(key)),
                            args.get("resolvable") is not False,
                        )
                    )
                if args.get("isInterfaceObject") is True:
                    join.interface_object.add(graph)
            elif name == "join__implements":
                join.implements.setdefault(graph, set()).add(str(args["interface"]))
            elif name == "join__unionMember":
                join.union_members.setdefault(graph, set()).add(str(args["member"]))
        del type_name

    def _field_join(self, directive: DirectiveNode) -> FieldJoin:
        args = _args(directive)
        requires = args.get("requires")
        provides = args.get("provides")
        return FieldJoin(
            graph=self._graph(args.get("graph")),
            requires=parse_field_set(str(requires)) if requires else None,
            provides=parse_field_set(str(provides)) if provides else None,
            external=args.get("external") is True,
            override=str(args["override"]) if args.get("override") else None,
            used_overridden=args.get("usedOverridden") is True,
        )

    # -- questions the planner asks -----------------------------------------------------------
    def type(self, name: str) -> GraphQLNamedType:
        return self.schema.type_map[name]

    def type_graphs(self, type_name: str) -> list[str]:
        """Graphs that define the type (all graphs when the type carries no `@join__type`)."""
        join = self._types.get(type_name)
        if join is None or not join.graphs:
            return list(self.graphs)
        return join.graphs

    def defines(self, graph: str, type_name: str) -> bool:
        return graph in self.type_graphs(type_name)

    def keys(self, type_name: str, graph: str) -> list[Key]:
        join = self._types.get(type_name)
        return [k for k in join.keys if k.graph == graph] if join else []

    def is_interface_object(self, type_name: str, graph: str) -> bool:
        join = self._types.get(type_name)
        return bool(join and graph in join.interface_object)

    def field_joins(self, type_name: str, field_name: str) -> list[FieldJoin]:
        """`@join__field`s of a field; a field without any belongs to every graph of its type."""
        joins = self._fields.get((type_name, field_name))
        if joins is not None:
            return joins
        return [FieldJoin(graph=g) for g in self.type_graphs(type_name)]

    def field_join(self, type_name: str, field_name: str, graph: str) -> FieldJoin | None:
        for join in self.field_joins(type_name, field_name):
            if join.graph == graph:
                return join
        return None

    def resolvers(self, type_name: str, field_name: str) -> list[str]:
        """Graphs that can resolve the field themselves (not external, not overridden away)."""
        return [
            j.graph
            for j in self.field_joins(type_name, field_name)
            if j.graph is not None and not j.external and not j.used_overridden
        ]

    def possible_types(self, abstract: GraphQLCompositeType) -> list[GraphQLObjectType]:
        if isinstance(abstract, GraphQLObjectType):
            return [abstract]
        return list(self.schema.get_possible_types(abstract))

    def possible_types_in(
        self, graph: str, abstract: GraphQLCompositeType
    ) -> list[GraphQLObjectType]:
        """Runtime types a graph can return for an abstract type, per its own schema."""
        result: list[GraphQLObjectType] = []
        for candidate in self.possible_types(abstract):
            if not self.defines(graph, candidate.name):
                continue
            join = self._types.get(candidate.name)
            if isinstance(abstract, GraphQLInterfaceType):
                if (
                    join
                    and join.implements
                    and abstract.name not in join.implements.get(graph, set())
                ):
                    continue
            elif isinstance(abstract, GraphQLUnionType):
                union = self._types.get(abstract.name)
                if (
                    union
                    and union.union_members
                    and candidate.name not in union.union_members.get(graph, set())
                ):
                    continue
            result.append(candidate)
        return result
