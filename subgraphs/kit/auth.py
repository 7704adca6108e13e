"""Verify the caller's credentials: access JWTs against the auth service's JWKS, or the service token.

Usable outside FastAPI (e.g. by the router)::

    authenticator = JwtAuthenticator(
        settings, JwksCache(settings.jwks_url()), revocations=revocation_checker(redis, settings)
    )
    principal = await authenticator.verify(token)  # raises Unauthenticated(reason)
    ...
    await authenticator.close()

`verify` checks the signature against the auth service's JWKS (refetched on an unknown `kid`),
the algorithm allow-list (no `none`, no HMAC: no algorithm confusion), `iss`, `aud`, `exp`,
`nbf`, the required claims, and — when a RevocationChecker is given — that the session (`sid`)
and the token (`jti`) are not revoked: Redis first, the auth service over HTTP when Redis cannot
answer, and refusal when neither can (never fail open).
"""

from __future__ import annotations

import asyncio
import hmac
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

import httpx
import jwt
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.requests import HTTPConnection

from subgraphs.kit.errors import Unauthenticated
from subgraphs.kit.principal import ANONYMOUS, Principal, Role, scopes_for
from subgraphs.kit.settings import Settings

__all__ = [
    "ALLOWED_ALGORITHMS",
    "SERVICE_TOKEN_HEADER",
    "HttpRevocationChecker",
    "JwksCache",
    "JwtAuthenticator",
    "KeySource",
    "RedisRevocationChecker",
    "RevocationChecker",
    "RevocationUnavailable",
    "VerifiedTokens",
    "default_authenticator",
    "principal_from_claims",
    "revocation_checker",
    "revocation_keys",
]

#: Asymmetric only: a token signed with HS256 (algorithm confusion) or `none` is never accepted.
ALLOWED_ALGORITHMS = ("EdDSA", "ES256")
#: An unknown kid refetches the JWKS at most this often: a rotated key is accepted within a
#: second, and tokens with made-up kids cannot turn into a flood of JWKS requests.
_REFRESH_COOLDOWN = 1.0
_RETRY_AFTER_FAILURE = 0.25
_FALLBACK_CACHE_SECONDS = 0.5
_FALLBACK_CACHE_SIZE = 10_000
#: Verified tokens remembered per process (emptied when full: a miss only costs a verification).
_VERIFIED_CACHE_SIZE = 10_000
SERVICE_TOKEN_HEADER = "x-service-token"  # noqa: S105 - a header name, not a secret


class RevocationChecker(Protocol):
    """Whether a session (or one access token of it) was revoked; raises RevocationUnavailable
    when it cannot tell, so callers refuse the token instead of failing open."""

    async def is_revoked(self, session_id: uuid.UUID, token_id: str | None) -> bool: ...

    async def close(self) -> None: ...


class KeySource(Protocol):
    async def get(self, kid: str) -> jwt.PyJWK | None: ...


class JwksCache:
    """Public keys by `kid`, fetched from the auth service and refetched when an unknown kid shows up."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    def install(self, jwks: dict[str, Any]) -> None:
        keys: dict[str, jwt.PyJWK] = {}
        for entry in jwks.get("keys", []):
            if entry.get("kid") and entry.get("alg") in ALLOWED_ALGORITHMS:
                keys[entry["kid"]] = jwt.PyJWK(entry)
        self._keys = keys

    async def get(self, kid: str) -> jwt.PyJWK | None:
        key = self._keys.get(kid)
        if key is not None:
            return key
        async with self._lock:
            if kid not in self._keys and time.monotonic() - self._fetched_at > _REFRESH_COOLDOWN:
                await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        try:
            async with httpx.AsyncClient(timeout=3.0) as client:
                response = await client.get(self.url)
                response.raise_for_status()
                self.install(response.json())
        except (httpx.HTTPError, ValueError):
            # Keep the keys we have; an unknown kid then stays unknown and the token is refused.
            # Retry soon: the auth service may just be starting.
            self._fetched_at = time.monotonic() - _REFRESH_COOLDOWN + _RETRY_AFTER_FAILURE
            return
        self._fetched_at = time.monotonic()


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    try:
        role = Role(claims["role"])
        if role is Role.SERVICE:
            # Services authenticate with the service token, never with a user token.
            raise ValueError("service role in a user token")
        return Principal(
            user_id=uuid.UUID(claims["sub"]),
            role=role,
            profile_id=uuid.UUID(claims["pid"]) if claims.get("pid") else None,
            session_id=uuid.UUID(claims["sid"]),
            token_id=str(claims["jti"]),
            scopes=scopes_for(role),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )
    except (KeyError, ValueError, TypeError, OverflowError) as exc:
        raise Unauthenticated("Invalid token claims") from exc


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Verified(Generic[T]):
    value: T
    kid: str
    key: jwt.PyJWK
    expires: float


class VerifiedTokens(Generic[T]):
    """What tokens whose signature and claims passed proved, per whole token (a tampered copy is
    another key, verified and refused), until their `exp`. Only what cannot change is kept:
    revocation is for the caller to ask every time, and a remembered token still needs the very
    key that signed it under its kid (a key no longer published stops its tokens, as on a first
    check). Emptied when full: a miss costs one verification, a hit no LRU bookkeeping."""

    def __init__(self, keys: KeySource, size: int = _VERIFIED_CACHE_SIZE) -> None:
        self._keys = keys
        self._size = size
        self._known: dict[str, _Verified[T]] = {}

    async def get(self, token: str) -> T | None:
        known = self._known.get(token)
        if known is None:
            return None
        if time.time() < known.expires and await self._keys.get(known.kid) is known.key:
            return known.value
        self._known.pop(token, None)
        return None

    def remember(self, token: str, value: T, kid: str, key: jwt.PyJWK, expires: float) -> None:
        if len(self._known) >= self._size:
            self._known.clear()
        self._known[token] = _Verified(value, kid, key, expires)


class JwtAuthenticator:
    """Bearer JWT → Principal. No credentials → anonymous (public fields only); bad ones → refused."""

    def __init__(
        self,
        settings: Settings,
        jwks: KeySource,
        revocations: RevocationChecker | None = None,
    ) -> None:
        self.settings = settings
        self.jwks = jwks
        self.revocations = revocations
        self._verified: VerifiedTokens[Principal] = VerifiedTokens(jwks)

    async def authenticate(self, request: HTTPConnection) -> Principal:
        service_token = request.headers.get(SERVICE_TOKEN_HEADER)
        if service_token is not None:
            if hmac.compare_digest(service_token.encode(), self.settings.service_token.encode()):
                return Principal(role=Role.SERVICE, scopes=scopes_for(Role.SERVICE))
            raise Unauthenticated("Invalid service credentials")
        header = request.headers.get("authorization")
        if not header:
            return ANONYMOUS
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("Authorization header must be 'Bearer <token>'")
        return await self.verify(token.strip())

    async def verify(self, token: str) -> Principal:
        principal = await self._verified_principal(token)
        if self.revocations is not None and principal.session_id is not None:
            try:
                revoked = await self.revocations.is_revoked(
                    principal.session_id, principal.token_id
                )
            except RevocationUnavailable as exc:
                raise Unauthenticated("Cannot check the session's status; try again") from exc
        else:
            revoked = False
        if revoked:
            raise Unauthenticated("Session revoked")
        return principal

    async def _verified_principal(self, token: str) -> Principal:
        """The token's principal, its signature and claims checked once per token (~0.2 ms a
        check; the router forwards one token to every subgraph it asks; what is remembered and
        for how long: `VerifiedTokens`)."""
        known = await self._verified.get(token)
        if known is not None:
            return known
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthenticated("Malformed token") from exc
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in ALLOWED_ALGORITHMS or not isinstance(kid, str):
            raise Unauthenticated("Unsupported token algorithm")
        key = await self.jwks.get(kid)
        if key is None or key.algorithm_name != alg:
            raise Unauthenticated("Unknown signing key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud", "jti", "sid", "role"]},
                # `nbf` and `iat` in the future (beyond the leeway) are refused by PyJWT.
                leeway=5,
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("Token expired") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated("Invalid token") from exc
        principal = principal_from_claims(claims)
        self._verified.remember(token, principal, kid, key, float(claims["exp"]))
        return principal

    async def close(self) -> None:
        if self.revocations is not None:
            await self.revocations.close()


class RevocationUnavailable(Exception):
    """Neither Redis nor the auth service could say whether a session is revoked."""


def revocation_keys(settings: Settings) -> tuple[str, str, str]:
    """(session key prefix, token key prefix, ready marker): the Redis mirror the auth service
    writes. The marker is absent after Redis lost its data, which readers treat as unknown."""
    return (
        settings.redis_key("revoked", "sid", ""),
        settings.redis_key("revoked", "jti", ""),
        settings.redis_key("revoked", "ready"),
    )


class HttpRevocationChecker:
    """Asks the auth service (`/internal/revocation`, service token): the database's answer."""

    def __init__(self, settings: Settings, *, timeout: float = 2.0) -> None:
        base = settings.auth_service_url.rsplit("/graphql", 1)[0]
        self.url = f"{base}/internal/revocation"
        self.token = settings.service_token
        self._client = httpx.AsyncClient(timeout=timeout)
        # A short memory of answers, so an outage of Redis does not put every request on the
        # auth service; short enough to keep revocation visible within a second.
        self._cache: dict[tuple[uuid.UUID, str | None], tuple[float, bool]] = {}

    async def is_revoked(self, session_id: uuid.UUID, token_id: str | None) -> bool:
        key = (session_id, token_id)
        cached = self._cache.get(key)
        now = time.monotonic()
        if cached is not None and now - cached[0] < _FALLBACK_CACHE_SECONDS:
            return cached[1]
        params = {"sid": str(session_id)}
        if token_id:
            params["jti"] = token_id
        try:
            response = await self._client.get(
                self.url, params=params, headers={SERVICE_TOKEN_HEADER: self.token}
            )
            response.raise_for_status()
            revoked = bool(response.json()["revoked"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise RevocationUnavailable(str(exc) or type(exc).__name__) from exc
        if len(self._cache) > _FALLBACK_CACHE_SIZE:
            self._cache.clear()
        self._cache[key] = (now, revoked)
        return revoked

    async def close(self) -> None:
        await self._client.aclose()


class RedisRevocationChecker:
    """Redis first (one round trip); when Redis errors or lost its data, the fallback decides."""

    def __init__(self, redis: Redis, settings: Settings, fallback: RevocationChecker) -> None:
        self.redis = redis
        self.fallback = fallback
        self.sid_prefix, self.jti_prefix, self.ready_key = revocation_keys(settings)

    async def is_revoked(self, session_id: uuid.UUID, token_id: str | None) -> bool:
        keys = [self.ready_key, f"{self.sid_prefix}{session_id}"]
        if token_id:
            keys.append(f"{self.jti_prefix}{token_id}")
        try:
            values = await self.redis.mget(keys)
        except (RedisError, OSError):
            return await self.fallback.is_revoked(session_id, token_id)
        if values[0] is None:
            # The mirror is not (or no longer) complete: an absent key proves nothing.
            return await self.fallback.is_revoked(session_id, token_id)
        return any(v is not None for v in values[1:])

    async def close(self) -> None:
        await self.fallback.close()


def revocation_checker(redis: Redis, settings: Settings) -> RevocationChecker:
    """The checker every subgraph (and the router) uses: Redis, then the auth service."""
    return RedisRevocationChecker(redis, settings, HttpRevocationChecker(settings))


def default_authenticator(redis: Redis, settings: Settings) -> JwtAuthenticator:
    return JwtAuthenticator(
        settings, JwksCache(settings.jwks_url()), revocations=revocation_checker(redis, settings)
    )
