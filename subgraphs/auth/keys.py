"""JWT signing keys: persisted (encrypted) in PostgreSQL so every auth replica signs and publishes
the same set; rotated on demand or by age, retired keys published until their tokens expire."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from jwt.algorithms import ECAlgorithm, OKPAlgorithm
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from subgraphs.auth import repository
from subgraphs.auth.models import SigningKey
from subgraphs.kit.settings import Settings

__all__ = ["ActiveKey", "KeyStore"]

#: A key signs for this long before a new one takes over (checked whenever keys are loaded).
ROTATE_AFTER = timedelta(days=30)
#: Replicas re-read the key table this often, so a rotation elsewhere is picked up quickly.
_RELOAD_EVERY = 5.0
_UNKNOWN_KID_COOLDOWN = 1.0
_PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True, slots=True)
class ActiveKey:
    kid: str
    algorithm: str
    private_key: _PrivateKey


def _passphrase(settings: Settings) -> bytes:
    # Private keys at rest are encrypted under a key derived from the deployment's service
    # secret: a database dump or backup alone does not reveal them.
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"predicthealth", info=b"jwt-keys")
    return base64.urlsafe_b64encode(hkdf.derive(settings.service_token.encode()))


def _generate(algorithm: str, settings: Settings) -> SigningKey:
    private: _PrivateKey
    if algorithm == "EdDSA":
        private = ed25519.Ed25519PrivateKey.generate()
        public_jwk = json.loads(OKPAlgorithm.to_jwk(private.public_key()))
    else:
        private = ec.generate_private_key(ec.SECP256R1())
        public_jwk = json.loads(ECAlgorithm.to_jwk(private.public_key()))
    # The kid is the JWK thumbprint-like digest of the public key: stable and collision-free.
    kid = hashlib.sha256(json.dumps(public_jwk, sort_keys=True).encode()).hexdigest()[:16]
    kid = f"{kid}-{secrets.token_hex(2)}"
    public_jwk.update({"kid": kid, "alg": algorithm, "use": "sig"})
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase(settings)),
    )
    return SigningKey(kid=kid, algorithm=algorithm, public_jwk=public_jwk, private_key=pem)


def _decrypt(row: SigningKey, settings: Settings) -> _PrivateKey:
    key = serialization.load_pem_private_key(row.private_key, password=_passphrase(settings))
    if not isinstance(key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
        raise TypeError(f"signing key {row.kid} has an unsupported type")
    return key


class KeyStore:
    """The process's view of the signing keys; reloads from the database every few seconds."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings
        self._active: ActiveKey | None = None
        self._published: dict[str, jwt.PyJWK] = {}
        self._jwks: dict[str, Any] = {"keys": []}
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    @property
    def publish_for(self) -> timedelta:
        """How long a retired key stays in the JWKS: the longest life of a token it signed."""
        return timedelta(seconds=self.settings.jwt_access_ttl_seconds + 60)

    async def load(self, *, force: bool = False) -> None:
        async with self._lock:
            if not force and time.monotonic() - self._loaded_at < _RELOAD_EVERY:
                return
            now = datetime.now(UTC)
            async with self.sessions() as session, session.begin():
                rows = await repository.published_keys(session, now - self.publish_for)
                newest = next((r for r in rows if r.retired_at is None), None)
                if newest is None or now - newest.created_at > ROTATE_AFTER:
                    rows = await self._rotate(session, now)
                    newest = next(r for r in rows if r.retired_at is None)
            self._install(rows, newest)

    async def rotate(self, within: Callable[[AsyncSession], None] | None = None) -> str:
        """Retire the signing key and start signing with a fresh one; returns the new kid.
        `within` adds to the rotation's transaction (its audit event)."""
        async with self._lock:
            now = datetime.now(UTC)
            async with self.sessions() as session, session.begin():
                rows = await self._rotate(session, now)
                if within is not None:
                    within(session)
            newest = next(r for r in rows if r.retired_at is None)
            self._install(rows, newest)
            return newest.kid

    async def _rotate(self, session: AsyncSession, now: datetime) -> list[SigningKey]:
        # Serialized across replicas: two of them must not each add a key at the same time.
        await repository.lock_signing_keys(session)
        await repository.retire_keys(session, now)
        await repository.delete_keys_retired_before(session, now - self.publish_for)
        session.add(_generate(self.settings.jwt_algorithm, self.settings))
        await session.flush()
        return list(await repository.published_keys(session, now - self.publish_for))

    def _install(self, rows: Sequence[SigningKey], newest: SigningKey) -> None:
        if self._active is None or self._active.kid != newest.kid:
            self._active = ActiveKey(newest.kid, newest.algorithm, _decrypt(newest, self.settings))
        self._published = {r.kid: jwt.PyJWK(r.public_jwk) for r in rows}
        self._jwks = {"keys": [dict(r.public_jwk) for r in rows]}
        self._loaded_at = time.monotonic()

    async def active(self) -> ActiveKey:
        await self.load()
        assert self._active is not None  # load() always installs one
        return self._active

    async def jwks(self) -> dict[str, Any]:
        await self.load()
        return self._jwks

    async def get(self, kid: str) -> jwt.PyJWK | None:
        """Public key by kid, for the auth subgraph's own token checks (no HTTP to itself)."""
        await self.load()
        if (
            kid not in self._published
            and time.monotonic() - self._loaded_at > _UNKNOWN_KID_COOLDOWN
        ):
            # Perhaps another replica just rotated; the cool-down stops made-up kids from
            # turning every forged token into a database query.
            await self.load(force=True)
        return self._published.get(kid)
