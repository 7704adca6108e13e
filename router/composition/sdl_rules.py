"""Plain GraphQL validity of a subgraph SDL, checked by graphql-core with federation's definitions.

Apollo reports these as INVALID_GRAPHQL: unknown or misplaced directives, missing directive
arguments, wrong type kinds, broken interface implementations, empty types...
"""

from __future__ import annotations

from collections.abc import Mapping

from graphql import GraphQLError, build_ast_schema, parse, validate_schema
from graphql.language import (
    DefinitionNode,
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
)
from graphql.validation.rules.possible_type_extensions import PossibleTypeExtensionsRule
from graphql.validation.rules.unique_enum_value_names import UniqueEnumValueNamesRule
from graphql.validation.specified_rules import specified_sdl_rules
from graphql.validation.validate import validate_sdl

__all__ = ["graphql_errors"]

_ALL = (
    "FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | "
    "ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
)
_AUTH = "FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"
_COST = "ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR"
# Canonical federation directive -> definition (`{}`: local name, `FS`: the FieldSet scalar).
_FEDERATION_DEFINITIONS = {
    "key": "directive @{}(fields: FS!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE",
    "requires": "directive @{}(fields: FS!) on FIELD_DEFINITION",
    "provides": "directive @{}(fields: FS!) on FIELD_DEFINITION",
    "external": "directive @{}(reason: String) on OBJECT | FIELD_DEFINITION",
    "extends": "directive @{} on OBJECT | INTERFACE",
    "shareable": "directive @{} repeatable on OBJECT | FIELD_DEFINITION",
    "tag": f"directive @{{}}(name: String!) repeatable on {_ALL} | SCHEMA",
    "inaccessible": f"directive @{{}} on {_ALL}",
    "override": "directive @{}(from: String!, label: String) on FIELD_DEFINITION",
    "composeDirective": "directive @{}(name: String!) repeatable on SCHEMA",
    "interfaceObject": "directive @{} on OBJECT",
    "authenticated": f"directive @{{}} on {_AUTH}",
    "requiresScopes": f"directive @{{}}(scopes: [[federation__Scope!]!]!) on {_AUTH}",
    "policy": f"directive @{{}}(policies: [[federation__Policy!]!]!) on {_AUTH}",
    "context": "directive @{}(name: String!) repeatable on INTERFACE | OBJECT | UNION",
    "fromContext": "directive @{}(field: federation__ContextFieldValue) on ARGUMENT_DEFINITION",
    "cost": f"directive @{{}}(weight: Int!) on {_COST}",
    "listSize": (
        "directive @{}(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], "
        "requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION"
    ),
    "cacheTag": "directive @{}(format: String!) repeatable on OBJECT | FIELD_DEFINITION",
}
_SUPPORT_TYPES = {
    "federation__FieldSet": "scalar federation__FieldSet",
    "federation__Scope": "scalar federation__Scope",
    "federation__Policy": "scalar federation__Policy",
    "federation__ContextFieldValue": "scalar federation__ContextFieldValue",
    "link__Import": "scalar link__Import",
    "link__Purpose": "enum link__Purpose { SECURITY EXECUTION }",
    "_Any": "scalar _Any",
    "_FieldSet": "scalar _FieldSet",
}
_LINK = (
    "directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) "
    "repeatable on SCHEMA"
)
_DEFINITION_OF: dict[type, type] = {
    ObjectTypeExtensionNode: ObjectTypeDefinitionNode,
    InterfaceTypeExtensionNode: InterfaceTypeDefinitionNode,
    UnionTypeExtensionNode: UnionTypeDefinitionNode,
    EnumTypeExtensionNode: EnumTypeDefinitionNode,
    InputObjectTypeExtensionNode: InputObjectTypeDefinitionNode,
    ScalarTypeExtensionNode: ScalarTypeDefinitionNode,
}
# Federation accepts extensions without a base in the subgraph, and Apollo's subgraph builder
# folds repeated enum values, so those two rules do not apply.
_RULES = [
    r
    for r in specified_sdl_rules
    if r not in (PossibleTypeExtensionsRule, UniqueEnumValueNamesRule)
]
# Every subgraph has a query root (federation adds `_service` to it), even if the SDL has none.
_IGNORED = frozenset({"Query root type must be provided."})


def _as_definitions(doc: DocumentNode) -> list[DefinitionNode]:
    """Federation allows `extend type X` with no `type X` in the subgraph: make it a definition."""
    defined = {d.name.value for d in doc.definitions if isinstance(d, TypeDefinitionNode)}
    result: list[DefinitionNode] = []
    for d in doc.definitions:
        if isinstance(d, TypeExtensionNode) and d.name.value not in defined:
            defined.add(d.name.value)
            kind = _DEFINITION_OF[type(d)]
            keys: tuple[str, ...] = getattr(kind, "keys", ())
            result.append(kind(**{k: getattr(d, k, None) for k in keys if k != "loc"}))
        else:
            result.append(d)
    return result


def graphql_errors(doc: DocumentNode, directives: Mapping[str, str]) -> list[str]:
    """GraphQL validation messages for `doc`; `directives` maps local names to federation ones."""
    present = {
        d.name.value
        for d in doc.definitions
        if isinstance(d, TypeDefinitionNode | DirectiveDefinitionNode)
    }
    extra = [text for name, text in _SUPPORT_TYPES.items() if name not in present]
    extra += [_LINK] if "link" not in present else []
    for local, canonical in directives.items():
        if local not in present:
            extra.append(
                _FEDERATION_DEFINITIONS[canonical]
                .format(local)
                .replace("FS", "federation__FieldSet")
            )
    support = parse("\n".join(extra), no_location=True)
    full = DocumentNode(definitions=[*_as_definitions(doc), *support.definitions])
    errors = validate_sdl(full, rules=_RULES)
    if errors:
        return [e.message for e in errors]
    try:
        schema = build_ast_schema(full, assume_valid_sdl=True)
    except (GraphQLError, TypeError) as e:
        return [str(e)]
    return [e.message for e in validate_schema(schema) if e.message not in _IGNORED]
