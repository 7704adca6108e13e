"""Derive the client-facing API schema: drop federation machinery and everything `@inaccessible`."""

from __future__ import annotations

from typing import Any

from graphql import (
    DirectiveDefinitionNode,
    DocumentNode,
    GraphQLSchema,
    Node,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    build_ast_schema,
)

__all__ = ["build_api_schema"]

# Directive applications the API schema keeps (the built-in ones clients may see).
_KEPT_DIRECTIVES = frozenset({"deprecated", "specifiedBy", "oneOf"})
_MACHINERY_PREFIXES = ("join__", "link__", "core__")
_MACHINERY_DIRECTIVES = frozenset(
    {
        "link",
        "core",
        "inaccessible",
        "tag",
        "authenticated",
        "requiresScopes",
        "policy",
        "context",
        "cost",
        "listSize",
    }
)


def _inaccessible(node: Any) -> bool:
    return any(d.name.value == "inaccessible" for d in getattr(node, "directives", None) or ())


def _strip(node: Any) -> Any:
    """Copy a node without `@inaccessible` children and without non-kept directive applications."""
    changes: dict[str, Any] = {}
    if getattr(node, "directives", None) is not None:
        changes["directives"] = tuple(
            d for d in node.directives if d.name.value in _KEPT_DIRECTIVES
        )
    for attr in ("fields", "values", "arguments", "types", "interfaces"):
        children = getattr(node, attr, None)
        if children is None or (isinstance(node, DirectiveDefinitionNode) and attr != "arguments"):
            continue
        kept = []
        for child in children:
            if _inaccessible(child):
                continue
            kept.append(
                _strip(child) if isinstance(child, Node) and hasattr(child, "directives") else child
            )
        changes[attr] = tuple(kept)
    copy = node.__copy__()
    for key, value in changes.items():
        setattr(copy, key, value)
    return copy


def _linked_namespaces(supergraph: DocumentNode) -> set[str]:
    """Namespaces of the specs the schema `@link`s (`join`, `requiresScopes`, ... or their `as:`)."""
    names: set[str] = set()
    for definition in supergraph.definitions:
        if not isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value not in ("link", "core"):
                continue
            args = {
                a.name.value: getattr(a.value, "value", None) for a in directive.arguments or ()
            }
            url = args.get("url") or args.get("feature")
            if isinstance(url, str):
                parts = [p for p in url.split("/") if p]
                alias = args.get("as")
                names.add(
                    alias if isinstance(alias, str) else parts[-2] if len(parts) >= 2 else url
                )
    return names


def build_api_schema(
    supergraph: DocumentNode, inaccessible_types: set[str] | None = None
) -> GraphQLSchema:
    """Build the API schema from a parsed supergraph document."""
    namespaces = _linked_namespaces(supergraph)
    prefixes = _MACHINERY_PREFIXES + tuple(f"{n}__" for n in sorted(namespaces))
    machinery = _MACHINERY_DIRECTIVES | namespaces
    hidden = set(inaccessible_types or ())
    for definition in supergraph.definitions:
        name = getattr(definition, "name", None)
        if name is not None and _inaccessible(definition):
            hidden.add(name.value)
    definitions = []
    for definition in supergraph.definitions:
        if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            definitions.append(_strip(definition))
            continue
        name = getattr(definition, "name", None)
        if name is None:
            continue
        if name.value.startswith(prefixes) or name.value in hidden:
            continue
        if isinstance(definition, DirectiveDefinitionNode) and (
            name.value in machinery or name.value in _KEPT_DIRECTIVES
        ):
            continue
        stripped = _strip(definition)
        # Unions and interface lists may name hidden types; drop those references too.
        for attr in ("types", "interfaces"):
            refs = getattr(stripped, attr, None)
            if refs is not None:
                setattr(stripped, attr, tuple(r for r in refs if r.name.value not in hidden))
        definitions.append(stripped)
    return build_ast_schema(DocumentNode(definitions=tuple(definitions)), assume_valid_sdl=True)
