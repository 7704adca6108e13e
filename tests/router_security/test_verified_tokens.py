"""The router checks a token's signature and claims once; what can change is asked every time.

(Revocation after a token was remembered, with real Redis and the auth service:
`test_authentication.test_revoked_session_is_refused_within_a_second`.)
"""

from __future__ import annotations

import time
import uuid
from unittest.mock import patch

import jwt
import pytest

from router.security import InvalidToken, TokenVerifier
from router.security.config import AuthConfig
from tests.support.signing import NOWHERE, jwks, sign, tampered


def _token(kid: str = "k1", exp: float | None = None, role: str = "doctor") -> str:
    now = int(time.time())
    claims = {"sub": str(uuid.uuid4()), "role": role, "iat": now,
              "exp": now + 600 if exp is None else exp}  # fmt: skip
    return sign(claims, kid)


def _verifier(*kids: str, roles: tuple[str, ...] = ()) -> TokenVerifier:
    verifier = TokenVerifier(AuthConfig(jwks_url=NOWHERE, roles=roles))
    verifier.keys.install(jwks(*kids))
    return verifier


async def test_a_token_is_verified_once() -> None:
    verifier = _verifier("k1")
    token = _token()
    with patch("router.security.authn.jwt.decode", wraps=jwt.decode) as decode:
        first = await verifier.verify(token)
        again = await verifier.verify(token)
    assert decode.call_count == 1
    assert again is first
    assert first.authenticated
    assert first.claims["role"] == "doctor"


async def test_a_tampered_copy_of_a_remembered_token_is_refused() -> None:
    verifier = _verifier("k1")
    token = _token()
    await verifier.verify(token)
    with pytest.raises(InvalidToken, match="Invalid token"):
        await verifier.verify(tampered(token))


async def test_a_token_past_its_exp_is_checked_again() -> None:
    verifier = _verifier("k1")
    token = _token(exp=time.time() - 2)  # expired, but within the 5 s leeway
    with patch("router.security.authn.jwt.decode", wraps=jwt.decode) as decode:
        await verifier.verify(token)
        await verifier.verify(token)
    assert decode.call_count == 2


async def test_a_withdrawn_key_stops_its_remembered_tokens() -> None:
    verifier = _verifier("k1", "k2")
    token = _token(kid="k1")
    await verifier.verify(token)
    verifier.keys.install(jwks("k2"))  # k1 withdrawn (as a refetched JWKS would say)
    with pytest.raises(InvalidToken, match="Unknown signing key"):
        await verifier.verify(token)


async def test_refused_tokens_are_not_remembered() -> None:
    verifier = _verifier("k1", roles=("admin",))
    token = _token(role="doctor")
    for _ in range(2):
        with pytest.raises(InvalidToken, match="Invalid token claims"):
            await verifier.verify(token)
