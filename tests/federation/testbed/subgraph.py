"""A federation v2 subgraph built from SDL and plain resolver functions on graphql-core.

The test subgraphs are hand-made so every federation behaviour (which representations arrive,
which errors are raised where) is under our exact control; graphql-core executes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    build_ast_schema,
    graphql_sync,
    parse,
)

__all__ = ["Reference", "Resolver", "Subgraph", "SubgraphError"]

# A field resolver: (parent, info, **arguments) -> value. Plain dict values work without one.
Resolver = Callable[..., Any]
# Turns one `_entities` representation into an object dict (with `__typename`), None, or raises.
Reference = Callable[[dict[str, Any]], Any]


class SubgraphError(GraphQLError):
    """An error a test subgraph raises on purpose, optionally with an `extensions.code`."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message, extensions={"code": code} if code else None)


@dataclass
class Subgraph:
    """One subgraph: its SDL (served verbatim as `_service.sdl`), resolvers and entity lookups."""

    name: str
    sdl: str
    resolvers: Mapping[str, Mapping[str, Resolver]] = field(default_factory=dict)
    references: Mapping[str, Reference] = field(default_factory=dict)
    # When set, every request gets this HTTP status and a non-GraphQL body: a subgraph outage.
    outage_status: int | None = None
    _schema: GraphQLSchema | None = field(default=None, init=False, repr=False)

    @property
    def schema(self) -> GraphQLSchema:
        """The executable schema, with the federation `_service`/`_entities` fields added."""
        if self._schema is None:
            self._schema = _build(self)
        return self._schema

    def execute(
        self, query: str, variables: dict[str, Any] | None, operation_name: str | None
    ) -> dict[str, Any]:
        """Run one GraphQL request and return the response as a JSON-ready dict."""
        result = graphql_sync(
            self.schema,
            query,
            variable_values=variables,
            operation_name=operation_name,
            root_value={},
        )
        return dict(result.formatted)


def _resolvable_entities(sdl: str) -> list[str]:
    """Object types carrying at least one `@key` that is not `resolvable: false`."""
    names: list[str] = []
    for definition in parse(sdl).definitions:
        if isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            keys = [d for d in definition.directives or () if d.name.value == "key"]
            if any(_is_resolvable(key) for key in keys) and definition.name.value not in names:
                names.append(definition.name.value)
    return names


def _is_resolvable(key: DirectiveNode) -> bool:
    for argument in key.arguments or ():
        if argument.name.value == "resolvable" and isinstance(argument.value, BooleanValueNode):
            return argument.value.value
    return True


def _defines_query(sdl: str) -> bool:
    return any(
        isinstance(d, ObjectTypeDefinitionNode) and d.name.value == "Query"
        for d in parse(sdl).definitions
    )


def _federation_sdl(entities: list[str], *, extend_query: bool) -> str:
    # graphql-core ignores usages of directives it has no definition for (assume_valid_sdl), so
    # only the types the gateway queries need to exist in the executable schema.
    sdl = "scalar _Any\ntype _Service { sdl: String! }\n"
    entities_field = ""
    if entities:
        sdl += f"union _Entity = {' | '.join(entities)}\n"
        entities_field = "  _entities(representations: [_Any!]!): [_Entity]!\n"
    query = "extend type Query" if extend_query else "type Query"
    return sdl + query + " {\n" + entities_field + "  _service: _Service!\n}\n"


def _build(subgraph: Subgraph) -> GraphQLSchema:
    entities = _resolvable_entities(subgraph.sdl)
    document = parse(
        subgraph.sdl + "\n" + _federation_sdl(entities, extend_query=_defines_query(subgraph.sdl))
    )
    schema = build_ast_schema(document, assume_valid_sdl=True)
    for type_name, resolvers in subgraph.resolvers.items():
        graphql_type = schema.type_map[type_name]
        assert isinstance(graphql_type, GraphQLObjectType), type_name
        for field_name, resolver in resolvers.items():
            graphql_type.fields[field_name].resolve = resolver
    query = schema.query_type
    assert query is not None
    sdl = subgraph.sdl
    query.fields["_service"].resolve = lambda _root, _info: {"sdl": sdl}
    if entities:
        query.fields["_entities"].resolve = _entities_resolver(subgraph)
    return schema


def _entities_resolver(subgraph: Subgraph) -> Resolver:
    def resolve(_root: Any, _info: Any, representations: list[dict[str, Any]]) -> list[Any]:
        # A raised error becomes an exception at its list position, which graphql-core reports
        # at path ["_entities", i] while the other positions still resolve.
        return [_resolve_one(subgraph, representation) for representation in representations]

    return resolve


def _resolve_one(subgraph: Subgraph, representation: dict[str, Any]) -> Any:
    typename = representation.get("__typename")
    reference = subgraph.references.get(str(typename))
    if reference is None:
        return SubgraphError(f"{subgraph.name} cannot resolve entity type {typename!r}")
    try:
        return reference(representation)
    except GraphQLError as error:
        return error
