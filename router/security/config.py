"""Authentication settings of the router: where keys come from, what a valid token looks like."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["DEFAULT_ALGORITHMS", "AuthConfig", "split_list"]

#: Asymmetric only: `none` and HMAC (algorithm confusion with a public key) are never accepted.
DEFAULT_ALGORITHMS = ("EdDSA", "ES256")


@dataclass(frozen=True, slots=True)
class AuthConfig:
    """JWT verification at the router; the router runs without it (no `RouterConfig.auth`)."""

    jwks_url: str
    issuer: str | None = None
    audience: str | None = None
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    #: Claims a token must carry (checked by PyJWT; `exp` is always required).
    required_claims: tuple[str, ...] = ("exp", "iat", "sub")
    #: Revocation mirror (the auth service writes `PREFIX revoked:sid:<sid>`); None: not checked
    #: in Redis.
    redis_url: str | None = None
    redis_prefix: str = "ph:"
    #: The auth service's GraphQL URL: `/internal/revocation` answers when Redis cannot.
    auth_service_url: str | None = None
    service_token: str | None = None
    #: When set, a token's `role` claim must be one of these (e.g. our user roles: a token
    #: claiming `service` or a made-up role is refused even when properly signed).
    roles: tuple[str, ...] = ()
    #: Seconds of clock skew tolerated on `exp`, `nbf` and `iat`.
    leeway: float = 5.0

    @property
    def checks_revocation(self) -> bool:
        return self.redis_url is not None or self.auth_service_url is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AuthConfig | None:
        """`JWT_JWKS_URL` (required to turn auth on), `JWT_ISSUER`, `JWT_AUDIENCE`, `REDIS_URL`,
        `REDIS_PREFIX`, `AUTH_SERVICE_URL`, `SERVICE_TOKEN`, `JWT_ROLES` (comma-separated); None
        when no JWKS URL is set."""
        values = os.environ if env is None else env
        jwks_url = values.get("JWT_JWKS_URL")
        if not jwks_url:
            return None
        return cls(
            jwks_url=jwks_url,
            issuer=values.get("JWT_ISSUER") or None,
            audience=values.get("JWT_AUDIENCE") or None,
            redis_url=values.get("REDIS_URL") or None,
            redis_prefix=values.get("REDIS_PREFIX") or "ph:",
            auth_service_url=values.get("AUTH_SERVICE_URL") or None,
            service_token=values.get("SERVICE_TOKEN") or None,
            roles=split_list(values.get("JWT_ROLES")),
        )


def split_list(value: str | None) -> tuple[str, ...]:
    """`"a, b,,c"` → `("a", "b", "c")`."""
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())
