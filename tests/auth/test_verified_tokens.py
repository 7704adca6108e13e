"""A token's signature and claims are checked once per process; what can change is not cached.

(Revocation after a token was remembered: `test_verifier.test_verify_outside_fastapi`.)
"""

from __future__ import annotations

import time
import uuid
from unittest.mock import patch

import jwt
import pytest

from subgraphs.kit.auth import JwksCache, JwtAuthenticator
from subgraphs.kit.errors import Unauthenticated
from subgraphs.kit.principal import Role
from subgraphs.kit.settings import Settings
from tests.support.signing import NOWHERE, jwks, sign, tampered

SETTINGS = Settings(environment="test")


def _token(kid: str = "k1", exp: float | None = None) -> str:
    now = int(time.time())
    claims = {
        "sub": str(uuid.uuid4()), "role": "doctor", "pid": str(uuid.uuid4()),
        "sid": str(uuid.uuid4()), "jti": uuid.uuid4().hex, "iat": now,
        "exp": now + 600 if exp is None else exp,
        "iss": SETTINGS.jwt_issuer, "aud": SETTINGS.jwt_audience,
    }  # fmt: skip
    return sign(claims, kid)


def _verifier(*kids: str) -> tuple[JwtAuthenticator, JwksCache]:
    keys = JwksCache(NOWHERE)
    keys.install(jwks(*kids))
    return JwtAuthenticator(SETTINGS, keys), keys


async def test_a_token_is_verified_once() -> None:
    verifier, _ = _verifier("k1")
    token = _token()
    with patch("subgraphs.kit.auth.jwt.decode", wraps=jwt.decode) as decode:
        first = await verifier.verify(token)
        again = await verifier.verify(token)
    assert decode.call_count == 1
    assert again == first
    assert first.role is Role.DOCTOR


async def test_a_tampered_copy_of_a_remembered_token_is_refused() -> None:
    verifier, _ = _verifier("k1")
    token = _token()
    await verifier.verify(token)
    with pytest.raises(Unauthenticated, match="Invalid token"):
        await verifier.verify(tampered(token))


async def test_a_token_past_its_exp_is_checked_again() -> None:
    verifier, _ = _verifier("k1")
    token = _token(exp=time.time() - 2)  # expired, but within the 5 s leeway
    with patch("subgraphs.kit.auth.jwt.decode", wraps=jwt.decode) as decode:
        await verifier.verify(token)
        await verifier.verify(token)
    assert decode.call_count == 2


async def test_a_withdrawn_key_stops_its_remembered_tokens() -> None:
    verifier, keys = _verifier("k1", "k2")
    token = _token(kid="k1")
    await verifier.verify(token)
    keys.install(jwks("k2"))  # k1 withdrawn (as a refetched JWKS would say)
    with pytest.raises(Unauthenticated, match="Unknown signing key"):
        await verifier.verify(token)
