"""The kit's verifier outside FastAPI (as the router uses it), and refresh races."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from subgraphs.kit.auth import JwksCache, JwtAuthenticator, revocation_checker
from subgraphs.kit.errors import Unauthenticated
from subgraphs.kit.principal import Role
from tests.auth.conftest import REFRESH, Auth, bearer, code_of
from tests.support.stack import SubgraphStack

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_verify_outside_fastapi(auth: Auth, stack: SubgraphStack) -> None:
    settings = stack.settings
    redis = Redis.from_url(stack.infra.redis_url, decode_responses=True)
    verifier = JwtAuthenticator(
        settings, JwksCache(settings.jwks_url()), revocations=revocation_checker(redis, settings)
    )
    try:
        signed_in = await auth.new_login("doctor")
        principal = await verifier.verify(signed_in["accessToken"])
        assert principal.role is Role.DOCTOR
        assert str(principal.user_id) == signed_in["user"]["id"]
        assert str(principal.session_id) == signed_in["sessionId"]
        assert "read:patients" in principal.scopes
        assert principal.expires_at is not None

        await auth.call("mutation { logout }", headers=bearer(signed_in["accessToken"]))
        with pytest.raises(Unauthenticated, match="revoked"):
            await verifier.verify(signed_in["accessToken"])
    finally:
        await verifier.close()
        await redis.aclose()


async def test_concurrent_refreshes_of_one_token_end_the_session(auth: Auth) -> None:
    """Two uses of one refresh token, even at the same instant: only one can be legitimate."""
    signed_in = await auth.new_login("patient")
    results = await asyncio.gather(
        *(auth.call(REFRESH, {"token": signed_in["refreshToken"]}) for _ in range(2))
    )
    codes = sorted(str(code_of(r)) for r in results)
    assert codes == ["None", "UNAUTHENTICATED"], results
    winner = next(r for r in results if code_of(r) is None)["data"]["refreshToken"]
    assert not await auth.accepted(winner["accessToken"])
