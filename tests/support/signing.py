"""A throwaway Ed25519 signing key, its JWKS and token forgeries, for verifier unit tests that
need no auth service."""

from __future__ import annotations

from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519
from jwt.algorithms import OKPAlgorithm
from jwt.utils import base64url_decode, base64url_encode

__all__ = ["KEY", "NOWHERE", "jwks", "sign", "tampered"]

KEY = ed25519.Ed25519PrivateKey.generate()
#: Nothing listens there: a refetch of the JWKS fails at once and keeps what was installed.
NOWHERE = "http://127.0.0.1:9/.well-known/jwks.json"


def jwks(*kids: str) -> dict[str, Any]:
    """KEY's public half published under each of `kids`."""
    public: dict[str, Any] = OKPAlgorithm.to_jwk(KEY.public_key(), as_dict=True)
    return {"keys": [{**public, "kid": kid, "alg": "EdDSA", "use": "sig"} for kid in kids]}


def sign(claims: dict[str, Any], kid: str) -> str:
    return jwt.encode(claims, KEY, algorithm="EdDSA", headers={"kid": kid})


def tampered(token: str) -> str:
    """The same header and payload under a signature with one bit flipped: still well-formed
    base64url (changing its last characters may not be), so only the signature check refuses it."""
    head, payload, signature = token.split(".")
    raw = base64url_decode(signature)
    flipped = base64url_encode(bytes([raw[0] ^ 1]) + raw[1:]).decode()
    return f"{head}.{payload}.{flipped}"
