"""Forged, expired, tampered and algorithm-confused tokens: another subgraph refuses them all."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from subgraphs.auth.keys import ActiveKey
from tests.auth.conftest import Auth
from tests.support.stack import SubgraphStack
from tests.support.tokens import TEST_PASSWORD, create_user, login

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}."


def _tamper(token: str, **changes: Any) -> str:
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    return f"{head}.{_b64(json.dumps(claims).encode())}.{signature}"


Forge = Callable[[str, dict[str, Any], ActiveKey], str]


def _sign(claims: dict[str, Any], key: ActiveKey, **headers: Any) -> str:
    return jwt.encode(
        claims, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid, **headers}
    )


def _public_pem(key: ActiveKey) -> bytes:
    return key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _hs256_with_public_key(token: str, claims: dict[str, Any], key: ActiveKey) -> str:
    # Algorithm confusion: an HMAC "signed" with the published public key. PyJWT refuses to
    # HMAC with a PEM, so build the signature by hand like an attacker would.
    import hashlib
    import hmac

    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": key.kid}).encode())
    body = _b64(json.dumps(claims).encode())
    mac = hmac.new(_public_pem(key), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(mac)}"


def _foreign_key_same_kid(token: str, claims: dict[str, Any], key: ActiveKey) -> str:
    return jwt.encode(claims, ed25519.Ed25519PrivateKey.generate(), algorithm="EdDSA",
                      headers={"kid": key.kid})  # fmt: skip


def _foreign_key_new_kid(token: str, claims: dict[str, Any], key: ActiveKey) -> str:
    return jwt.encode(claims, ed25519.Ed25519PrivateKey.generate(), algorithm="EdDSA",
                      headers={"kid": "attacker-key"})  # fmt: skip


def _es256_under_eddsa_kid(token: str, claims: dict[str, Any], key: ActiveKey) -> str:
    return jwt.encode(claims, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256",
                      headers={"kid": key.kid})  # fmt: skip


def _embedded_jwk(token: str, claims: dict[str, Any], key: ActiveKey) -> str:
    attacker = ed25519.Ed25519PrivateKey.generate()
    jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(attacker.public_key()))
    return jwt.encode(claims, attacker, algorithm="EdDSA", headers={"kid": key.kid, "jwk": jwk})


def _with(**changes: Any) -> Forge:
    def forge(token: str, claims: dict[str, Any], key: ActiveKey) -> str:
        return _sign({**claims, **changes}, key)

    return forge


def _timed(**offsets: int) -> Forge:
    """Time claims set relative to when the token is forged, not to when this module was
    imported: the full suite may reach a test many minutes after collecting it."""

    def forge(token: str, claims: dict[str, Any], key: ActiveKey) -> str:
        now = int(time.time())
        return _sign({**claims, **{name: now + delta for name, delta in offsets.items()}}, key)

    return forge


def _without(name: str) -> Forge:
    def forge(token: str, claims: dict[str, Any], key: ActiveKey) -> str:
        return _sign({k: v for k, v in claims.items() if k != name}, key)

    return forge


CASES: dict[str, Forge] = {
    "alg none": lambda t, c, k: _unsigned({"alg": "none", "typ": "JWT", "kid": k.kid}, c),
    "alg none, no kid": lambda t, c, k: _unsigned({"alg": "none"}, c),
    "HS256 keyed with the public key": _hs256_with_public_key,
    "tampered payload (role)": lambda t, c, k: _tamper(t, role="admin", sub=c["sub"]),
    "tampered payload (exp)": lambda t, c, k: _tamper(t, exp=c["exp"] + 86400),
    "signature stripped": lambda t, c, k: t.rsplit(".", 1)[0] + ".",
    "other key, real kid": _foreign_key_same_kid,
    "other key, unknown kid": _foreign_key_new_kid,
    "ES256 under an EdDSA kid": _es256_under_eddsa_kid,
    "attacker jwk in header": _embedded_jwk,
    "wrong issuer": _with(iss="https://evil.example"),
    "wrong audience": _with(aud="someone-else"),
    "expired": _timed(iat=-3600, nbf=-3600, exp=-1800),
    "not yet valid": _timed(nbf=600, exp=1200),
    "issued in the future": _timed(iat=600, exp=1200),
    "no expiry": _without("exp"),
    "no session id": _without("sid"),
    "service role claimed": _with(role="service"),
    "unknown role": _with(role="superuser"),
    "garbage": lambda t, c, k: "eyJ.not.a.token",
}


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def real_token(stack: SubgraphStack, http: httpx.AsyncClient) -> tuple[str, ActiveKey]:
    """An admin's genuine access token, and the signing key (for re-signing altered claims)."""
    user = await create_user(stack, http, role="admin")
    signed_in = await login(stack, http, user["email"], TEST_PASSWORD)
    key = stack.servers.run(stack.apps["auth"].state.auth.keys.active())
    return signed_in["accessToken"], key


@pytest.mark.parametrize("case", list(CASES))
async def test_forged_token_is_refused(
    auth: Auth, real_token: tuple[str, ActiveKey], case: str
) -> None:
    token, key = real_token
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = CASES[case](token, claims, key)
    assert not await auth.accepted(forged)
    info = await auth.call(
        "query($t: String!) { verifyToken(token: $t) { valid reason } }", {"t": forged}
    )
    assert info["data"]["verifyToken"]["valid"] is False, info


async def test_the_genuine_token_and_a_resigned_copy_are_accepted(
    auth: Auth, real_token: tuple[str, ActiveKey]
) -> None:
    # The control: the table above fails for the reason it names, not for something else.
    token, key = real_token
    claims = jwt.decode(token, options={"verify_signature": False})
    assert await auth.accepted(token)
    assert await auth.accepted(_sign(claims, key))
    info = await auth.call(
        "query($t: String!) { verifyToken(token: $t) { valid role sessionId scopes } }",
        {"t": token},
    )
    assert info["data"]["verifyToken"]["valid"] is True
    assert info["data"]["verifyToken"]["role"] == "ADMIN"
    assert info["data"]["verifyToken"]["sessionId"] == claims["sid"]
