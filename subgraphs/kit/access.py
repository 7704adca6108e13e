"""Small helpers resolvers use to reach the per-request context and insist on a caller."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from subgraphs.kit.context import RequestContext
from subgraphs.kit.errors import Forbidden, Unauthenticated
from subgraphs.kit.principal import Principal, Role

__all__ = ["context_of", "require_principal", "require_role"]


def context_of(info: Info[Any, Any]) -> RequestContext:
    context: RequestContext = info.context
    return context


def require_principal(info: Info[Any, Any]) -> Principal:
    """The caller, or UNAUTHENTICATED (with the reason when a bad token was presented)."""
    context = context_of(info)
    if not context.principal.is_authenticated:
        raise Unauthenticated(context.extras.get("auth_error", "Authentication required"))
    return context.principal


def require_role(info: Info[Any, Any], *roles: Role) -> Principal:
    principal = require_principal(info)
    if not principal.has_role(*roles):
        raise Forbidden("Not allowed for your role")
    return principal
