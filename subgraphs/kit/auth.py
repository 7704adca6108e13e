"""Verify the caller's credentials: access JWTs against the auth service's JWKS, or the service token."""

from __future__ import annotations

import asyncio
import hmac
import time
import uuid
from typing import Any, Protocol

import httpx
import jwt
from starlette.requests import HTTPConnection

from subgraphs.kit.errors import Unauthenticated
from subgraphs.kit.principal import ANONYMOUS, Principal, Role, scopes_for
from subgraphs.kit.settings import Settings

__all__ = [
    "ALLOWED_ALGORITHMS",
    "JwksCache",
    "JwtAuthenticator",
    "RevocationChecker",
    "principal_from_claims",
]

#: Asymmetric only: a token signed with HS256 (algorithm confusion) or `none` is never accepted.
ALLOWED_ALGORITHMS = ("EdDSA", "ES256")
_REFRESH_COOLDOWN = 5.0
SERVICE_TOKEN_HEADER = "x-service-token"  # noqa: S105 - a header name, not a secret


class RevocationChecker(Protocol):
    async def is_revoked(self, session_id: uuid.UUID, token_id: str | None) -> bool: ...


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
        self._fetched_at = time.monotonic()
        try:
            async with httpx.AsyncClient(timeout=3.0) as client:
                response = await client.get(self.url)
                response.raise_for_status()
                self.install(response.json())
        except (httpx.HTTPError, ValueError):
            # Keep the keys we have; an unknown kid then stays unknown and the token is refused.
            return


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    try:
        role = Role(claims["role"])
        return Principal(
            user_id=uuid.UUID(claims["sub"]),
            role=role,
            profile_id=uuid.UUID(claims["pid"]) if claims.get("pid") else None,
            session_id=uuid.UUID(claims["sid"]),
            token_id=str(claims["jti"]),
            scopes=scopes_for(role),
        )
    except (KeyError, ValueError) as exc:
        raise Unauthenticated("Invalid token claims") from exc


class JwtAuthenticator:
    """Bearer JWT → Principal. No credentials → anonymous (public fields only); bad ones → refused."""

    def __init__(
        self,
        settings: Settings,
        jwks: JwksCache,
        revocations: RevocationChecker | None = None,
    ) -> None:
        self.settings = settings
        self.jwks = jwks
        self.revocations = revocations

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
                leeway=5,
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("Token expired") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated("Invalid token") from exc
        principal = principal_from_claims(claims)
        if (
            self.revocations is not None
            and principal.session_id is not None
            and await self.revocations.is_revoked(principal.session_id, principal.token_id)
        ):
            raise Unauthenticated("Session revoked")
        return principal

    async def close(self) -> None:
        return None
