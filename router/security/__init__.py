"""Router security: JWT authentication and `@authenticated` / `@requiresScopes` / `@policy`."""

from router.security.authn import ANONYMOUS_CALLER, Caller, InvalidToken, TokenVerifier
from router.security.config import AuthConfig
from router.security.rules import AccessRules, Requirement
from router.security.stages import Security, install

__all__ = [
    "ANONYMOUS_CALLER",
    "AccessRules",
    "AuthConfig",
    "Caller",
    "InvalidToken",
    "Requirement",
    "Security",
    "TokenVerifier",
    "install",
]
