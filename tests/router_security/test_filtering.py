"""Query filtering without servers: interfaces, inline fragments, aliases, nested lists, config."""

from __future__ import annotations

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse, print_ast

from router.api_schema import build_api_schema
from router.composition import SubgraphSource, compose
from router.security import AccessRules, AuthConfig, Caller, TokenVerifier
from router.security.filtering import filter_operation
from router.supergraph import Supergraph

_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.6",
  import: ["@key", "@authenticated", "@requiresScopes"])
type Query { nodes: [[Node!]!]! open: String }
interface Node { id: ID! label: String }
type Doc implements Node @key(fields: "id") { id: ID! label: String @authenticated }
type Tag implements Node @key(fields: "id") { id: ID! label: String }
type Vault @requiresScopes(scopes: [["vault"]]) { id: ID! }
extend type Query { vault: Vault }
"""


def _filter(query: str, caller: Caller) -> tuple[str | None, list[tuple[str, ...]]]:
    sdl = compose([SubgraphSource(name="g", url="http://g.invalid/graphql", sdl=_SDL)])
    supergraph = Supergraph(sdl)
    schema = build_api_schema(supergraph.document)
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    result = filter_operation(
        schema, AccessRules(supergraph.document), caller, operation, fragments
    )
    printed = print_ast(result.document) if result.document is not None else None
    return printed, list(result.removed)


def test_interface_field_is_as_closed_as_its_strictest_implementation() -> None:
    printed, removed = _filter("{ nodes { id label } open }", Caller())
    assert removed == [("nodes", "@", "@", "label")]
    assert printed is not None
    assert "label" not in printed
    assert "id" in printed


def test_inline_fragment_on_an_open_type_keeps_its_fields() -> None:
    query = "{ nodes { ... on Tag { label } ... on Doc { l: label } } }"
    printed, removed = _filter(query, Caller())
    assert removed == [("nodes", "@", "@", "l")]
    assert printed is not None
    assert "... on Tag" in printed
    assert "Doc" not in printed  # its only field went, so the fragment went too


def test_type_level_scopes_and_authenticated_callers() -> None:
    assert _filter("{ vault { id } }", Caller(authenticated=True))[1] == [("vault",)]
    printed, removed = _filter(
        "{ vault { id } nodes { label } }",
        Caller(authenticated=True, scopes=frozenset({"vault"})),
    )
    assert removed == []
    assert printed is not None


def test_nothing_left_means_no_document() -> None:
    assert _filter("{ vault { id } }", Caller()) == (None, [("vault",)])


def test_auth_config_from_env() -> None:
    assert AuthConfig.from_env({}) is None
    config = AuthConfig.from_env(
        {"JWT_JWKS_URL": "http://a/jwks", "JWT_ROLES": "admin, doctor", "REDIS_PREFIX": "t:"}
    )
    assert config is not None
    assert (config.jwks_url, config.roles, config.redis_prefix) == (
        "http://a/jwks",
        ("admin", "doctor"),
        "t:",
    )
    assert not config.checks_revocation


def test_symmetric_algorithms_cannot_be_configured() -> None:
    with pytest.raises(ValueError, match="HS256"):
        TokenVerifier(AuthConfig(jwks_url="http://a/jwks", algorithms=("EdDSA", "HS256")))
