"""Access JWTs (signed with the active key) and opaque refresh tokens (stored only as a hash)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from subgraphs.auth.keys import KeyStore
from subgraphs.auth.models import User
from subgraphs.kit.settings import Settings

__all__ = ["AccessToken", "hash_refresh_token", "issue_access_token", "new_refresh_token"]


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    jti: str
    expires_at: datetime
    expires_in: int


def new_refresh_token() -> tuple[str, str]:
    """(token for the client, hash to store). 256 random bits: a plain SHA-256 is enough."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def issue_access_token(
    keys: KeyStore, settings: Settings, *, user: User, session_id: uuid.UUID
) -> AccessToken:
    key = await keys.active()
    now = datetime.now(UTC)
    expires_at = now + timedelta(seconds=settings.jwt_access_ttl_seconds)
    jti = uuid.uuid4().hex
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(user.id),
        "role": user.role,
        "pid": str(user.profile_id) if user.profile_id else None,
        "sid": str(session_id),
        "jti": jti,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    token = jwt.encode(claims, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid})
    return AccessToken(token, jti, expires_at, settings.jwt_access_ttl_seconds)
