"""What the supergraph's `@authenticated`, `@requiresScopes` and `@policy` demand, per type and field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from graphql import (
    ConstDirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    StringValueNode,
    ValueNode,
)

from router.security.authn import Caller

__all__ = ["AccessRules", "Requirement"]

_K = TypeVar("_K")

_TYPES = (
    ObjectTypeDefinitionNode, ObjectTypeExtensionNode, InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode, ScalarTypeDefinitionNode, ScalarTypeExtensionNode,
    EnumTypeDefinitionNode, EnumTypeExtensionNode,
)  # fmt: skip

# One directive's alternatives: satisfied when the caller holds every entry of any inner set.
Alternatives = tuple[frozenset[str], ...]


@dataclass(frozen=True, slots=True)
class Requirement:
    """All of these must hold (several directives on one element are a conjunction)."""

    authenticated: bool = False
    scopes: tuple[Alternatives, ...] = ()
    policies: tuple[Alternatives, ...] = ()

    def __bool__(self) -> bool:
        return self.authenticated or bool(self.scopes) or bool(self.policies)

    def allows(self, caller: Caller) -> bool:
        if (self.authenticated or self.scopes or self.policies) and not caller.authenticated:
            return False
        return all(any(s <= caller.scopes for s in alt) for alt in self.scopes) and all(
            any(p <= caller.policies for p in alt) for alt in self.policies
        )


def _strings(value: ValueNode) -> frozenset[str]:
    if isinstance(value, ListValueNode):
        return frozenset(v.value for v in value.values if isinstance(v, StringValueNode))
    return frozenset({value.value}) if isinstance(value, StringValueNode) else frozenset()


def _alternatives(directive: ConstDirectiveNode, argument: str) -> Alternatives:
    for arg in directive.arguments or ():
        if arg.name.value == argument and isinstance(arg.value, ListValueNode):
            return tuple(_strings(v) for v in arg.value.values)
    return ()


def _requirement(directives: tuple[ConstDirectiveNode, ...] | None) -> Requirement:
    authenticated = False
    scopes: list[Alternatives] = []
    policies: list[Alternatives] = []
    for directive in directives or ():
        name = directive.name.value
        if name == "authenticated":
            authenticated = True
        elif name == "requiresScopes":
            scopes.append(_alternatives(directive, "scopes"))
        elif name == "policy":
            policies.append(_alternatives(directive, "policies"))
    return Requirement(authenticated, tuple(scopes), tuple(policies))


class AccessRules:
    """Requirements read once from a supergraph document (type-level and field-level)."""

    def __init__(self, supergraph: DocumentNode) -> None:
        self.types: dict[str, Requirement] = {}
        self.fields: dict[tuple[str, str], Requirement] = {}
        scopes: set[str] = set()
        for definition in supergraph.definitions:
            if not isinstance(definition, _TYPES):
                continue
            name = definition.name.value
            self._add(self.types, name, _requirement(definition.directives))
            for field_node in getattr(definition, "fields", None) or ():
                key = (name, field_node.name.value)
                self._add(self.fields, key, _requirement(field_node.directives))
        for requirement in (*self.types.values(), *self.fields.values()):
            for alternatives in requirement.scopes:
                for needed in alternatives:
                    scopes |= needed
        #: Every scope some directive names: the only part of a caller's scopes that matters.
        self.mentioned_scopes = frozenset(scopes)

    @staticmethod
    def _add(table: dict[_K, Requirement], key: _K, requirement: Requirement) -> None:
        if not requirement:
            return
        old = table.get(key)
        if old is not None:
            requirement = Requirement(
                old.authenticated or requirement.authenticated,
                old.scopes + requirement.scopes,
                old.policies + requirement.policies,
            )
        table[key] = requirement

    @property
    def empty(self) -> bool:
        return not self.types and not self.fields

    def of_type(self, name: str) -> Requirement | None:
        return self.types.get(name)

    def of_field(self, type_name: str, field_name: str) -> Requirement | None:
        return self.fields.get((type_name, field_name))
