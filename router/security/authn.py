"""Bearer JWT → Caller: signature by JWKS `kid`, asymmetric algorithms only, claims, revocation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from redis.asyncio import Redis

from router.security.config import AuthConfig
from subgraphs.kit.auth import (
    ALLOWED_ALGORITHMS,
    HttpRevocationChecker,
    JwksCache,
    RedisRevocationChecker,
    RevocationChecker,
    RevocationUnavailable,
    VerifiedTokens,
)
from subgraphs.kit.principal import Role, scopes_for
from subgraphs.kit.redis import create_redis
from subgraphs.kit.settings import Settings

__all__ = ["ANONYMOUS_CALLER", "Caller", "InvalidToken", "TokenVerifier", "bearer_token"]


@dataclass(frozen=True, slots=True)
class Caller:
    """Who the router serves: what `@authenticated`, `@requiresScopes` and `@policy` look at."""

    authenticated: bool = False
    scopes: frozenset[str] = frozenset()
    policies: frozenset[str] = frozenset()
    claims: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


ANONYMOUS_CALLER = Caller()


class InvalidToken(Exception):
    """The token was presented and must be refused (the message is safe to show the client)."""


class _Unanswerable:
    """The revocation fallback when no auth service is configured: it cannot tell, so refuse."""

    async def is_revoked(self, session_id: uuid.UUID, token_id: str | None) -> bool:
        raise RevocationUnavailable("no revocation source answered")

    async def close(self) -> None:
        return None


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header; None when absent; raises when malformed."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("Authorization header must be 'Bearer <token>'")
    return token.strip()


def _scopes(claims: dict[str, Any]) -> frozenset[str]:
    """OAuth `scope` (space-separated, or a list) plus what the `role` claim grants."""
    raw = claims.get("scope", claims.get("scp"))
    scopes: set[str] = set()
    if isinstance(raw, str):
        scopes.update(raw.split())
    elif isinstance(raw, list):
        scopes.update(s for s in raw if isinstance(s, str))
    role = claims.get("role")
    if isinstance(role, str) and role in Role.__members__.values() and role != Role.SERVICE:
        scopes |= scopes_for(Role(role))
    return frozenset(scopes)


def _revocations(config: AuthConfig) -> tuple[RevocationChecker | None, Redis | None]:
    if not config.checks_revocation:
        return None, None
    # The kit's checkers read only these settings; model_construct keeps the process environment
    # out of it (the router is configured by its own flags).
    settings = Settings.model_construct(
        redis_prefix=config.redis_prefix,
        auth_service_url=config.auth_service_url or "",
        service_token=config.service_token or Settings.model_fields["service_token"].default,
    )
    fallback: RevocationChecker = (
        HttpRevocationChecker(settings) if config.auth_service_url else _Unanswerable()
    )
    if config.redis_url is None:
        return fallback, None
    redis = create_redis(config.redis_url)
    return RedisRevocationChecker(redis, settings, fallback), redis


class TokenVerifier:
    """Verifies access tokens for the router; one per Router (owns a JWKS cache and Redis)."""

    def __init__(self, config: AuthConfig) -> None:
        unsupported = set(config.algorithms) - set(ALLOWED_ALGORITHMS)
        if unsupported:
            raise ValueError(f"unsupported JWT algorithms {sorted(unsupported)}")
        self.config = config
        self.keys = JwksCache(config.jwks_url)
        self.revocations, self._redis = _revocations(config)
        required = {"exp", *config.required_claims}
        if config.roles:
            required.add("role")
        if self.revocations is not None:
            required.add("sid")  # a token without a session could never be revoked
        self.required = sorted(required)
        self._verified: VerifiedTokens[Caller] = VerifiedTokens(self.keys)

    async def verify(self, token: str) -> Caller:
        """The caller the token proves, or InvalidToken with the reason."""
        caller = await self._verified_caller(token)
        await self._check_revocation(caller.claims)
        return caller

    async def _verified_caller(self, token: str) -> Caller:
        """The token's caller, its signature and claims checked once per token (~0.25 ms a
        check; what is remembered and for how long: `VerifiedTokens`)."""
        known = await self._verified.get(token)
        if known is not None:
            return known
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("Malformed token") from exc
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in self.config.algorithms or not isinstance(kid, str):
            raise InvalidToken("Unsupported token algorithm")
        key = await self.keys.get(kid)
        # The key decides the algorithm: an ES256 token under an EdDSA kid is refused.
        if key is None or key.algorithm_name != alg:
            raise InvalidToken("Unknown signing key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                audience=self.config.audience,
                issuer=self.config.issuer,
                options={
                    "require": self.required,
                    "verify_aud": self.config.audience is not None,
                    "verify_iss": self.config.issuer is not None,
                },
                leeway=self.config.leeway,
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("Token expired") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken("Invalid token") from exc
        if self.config.roles and claims.get("role") not in self.config.roles:
            raise InvalidToken("Invalid token claims")
        caller = Caller(authenticated=True, scopes=_scopes(claims), claims=claims)
        self._verified.remember(token, caller, kid, key, float(claims["exp"]))
        return caller

    async def _check_revocation(self, claims: dict[str, Any]) -> None:
        if self.revocations is None:
            return
        try:
            session_id = uuid.UUID(str(claims["sid"]))
        except ValueError as exc:
            raise InvalidToken("Invalid token claims") from exc
        jti = claims.get("jti")
        try:
            revoked = await self.revocations.is_revoked(
                session_id, str(jti) if jti is not None else None
            )
        except RevocationUnavailable as exc:
            # Never fail open: nobody could say the session is still valid.
            raise InvalidToken("Cannot check the session's status; try again") from exc
        if revoked:
            raise InvalidToken("Session revoked")

    async def close(self) -> None:
        if self.revocations is not None:
            await self.revocations.close()
        if self._redis is not None:
            await self._redis.aclose()
