"""Sessions end to end: login, refresh rotation, reuse detection, logout and revoke, as seen by
another subgraph."""

from __future__ import annotations

import asyncio

import pytest

from tests.auth.conftest import REFRESH, Auth, bearer, code_of

pytestmark = pytest.mark.asyncio(loop_scope="session")

SESSIONS = "{ me { sessions { id current device { id browser os } } devices { id } } }"


async def test_login_returns_a_token_pair_another_subgraph_accepts(auth: Auth) -> None:
    signed_in = await auth.new_login("admin")
    assert signed_in["expiresIn"] == 15 * 60
    assert signed_in["user"]["role"] == "ADMIN"
    assert await auth.accepted(signed_in["accessToken"])


async def test_refresh_rotates_and_a_reused_token_revokes_the_session(auth: Auth) -> None:
    first = await auth.new_login("admin")
    rotated = await auth.call(REFRESH, {"token": first["refreshToken"]})
    assert "errors" not in rotated, rotated
    second = rotated["data"]["refreshToken"]
    assert second["refreshToken"] != first["refreshToken"]
    assert second["sessionId"] == first["sessionId"]
    assert await auth.accepted(second["accessToken"])

    # The spent token shows up again: someone copied it. The whole session dies.
    reused = await auth.call(REFRESH, {"token": first["refreshToken"]})
    assert code_of(reused) == "UNAUTHENTICATED"
    assert "revoked" in reused["errors"][0]["message"]
    assert not await auth.accepted(second["accessToken"])
    assert not await auth.accepted(first["accessToken"])
    # …including the newest refresh token, which the legitimate client still holds.
    after = await auth.call(REFRESH, {"token": second["refreshToken"]})
    assert code_of(after) == "UNAUTHENTICATED"


async def test_unknown_refresh_token_is_refused(auth: Auth) -> None:
    body = await auth.call(REFRESH, {"token": "not-a-real-refresh-token"})
    assert code_of(body) == "UNAUTHENTICATED"


async def test_logout_ends_the_session_everywhere_within_a_second(auth: Auth) -> None:
    signed_in = await auth.new_login("admin")
    token = signed_in["accessToken"]
    assert await auth.accepted(token)
    body = await auth.call("mutation { logout }", headers=bearer(token))
    assert body == {"data": {"logout": True}}
    started = asyncio.get_running_loop().time()
    for subgraph in ("admins", "auth", "doctors", "institutions", "patients"):
        if subgraph == "admins":
            assert not await auth.accepted(token)
        else:
            me = await auth.call("{ me { id } }", headers=bearer(token))
            assert me["data"]["me"] is None
    assert asyncio.get_running_loop().time() - started < 1.0
    refreshed = await auth.call(REFRESH, {"token": signed_in["refreshToken"]})
    assert code_of(refreshed) == "UNAUTHENTICATED"


async def test_sessions_and_devices_are_listed_and_any_can_be_revoked(auth: Auth) -> None:
    phone_ua = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
    )
    desktop = await auth.new_login("patient")
    email = desktop["user"]["email"]
    from tests.support.tokens import TEST_PASSWORD

    phone_body = await auth.login(email, TEST_PASSWORD, {"user-agent": phone_ua})
    phone = phone_body["data"]["login"]
    listed = await auth.call(SESSIONS, headers=bearer(desktop["accessToken"]))
    sessions = listed["data"]["me"]["sessions"]
    assert {s["id"] for s in sessions} == {desktop["sessionId"], phone["sessionId"]}
    assert [s["current"] for s in sessions if s["id"] == desktop["sessionId"]] == [True]
    by_id = {s["id"]: s for s in sessions}
    assert by_id[phone["sessionId"]]["device"]["os"] == "iOS"
    assert len(listed["data"]["me"]["devices"]) == 2

    # The new phone was recorded as a security event.
    events = await auth.call(
        "{ me { securityEvents(first: 10) { kind detail } } }",
        headers=bearer(desktop["accessToken"]),
    )
    kinds = [e["kind"] for e in events["data"]["me"]["securityEvents"]]
    assert kinds.count("new_device") == 2
    assert kinds.count("login") == 2

    revoke = await auth.call(
        "mutation($id: ID!) { revokeSession(id: $id) }",
        {"id": phone["sessionId"]},
        bearer(desktop["accessToken"]),
    )
    assert revoke == {"data": {"revokeSession": True}}
    assert not await auth.accepted(phone["accessToken"])
    assert await auth.accepted(desktop["accessToken"])

    device_id = by_id[desktop["sessionId"]]["device"]["id"]
    ended = await auth.call(
        "mutation($id: ID!) { revokeDevice(id: $id) }",
        {"id": device_id},
        bearer(desktop["accessToken"]),
    )
    assert ended == {"data": {"revokeDevice": 1}}
    assert not await auth.accepted(desktop["accessToken"])


async def test_someone_elses_session_cannot_be_revoked_or_seen(auth: Auth) -> None:
    victim = await auth.new_login("patient")
    attacker = await auth.new_login("patient")
    body = await auth.call(
        "mutation($id: ID!) { revokeSession(id: $id) }",
        {"id": victim["sessionId"]},
        bearer(attacker["accessToken"]),
    )
    assert code_of(body) == "NOT_FOUND"
    body = await auth.call(
        "mutation($id: ID!) { revokeAllSessions(userId: $id) }",
        {"id": victim["user"]["id"]},
        bearer(attacker["accessToken"]),
    )
    assert code_of(body) == "FORBIDDEN"
    seen = await auth.call(
        "query($id: ID!) { user(id: $id) { email } }",
        {"id": victim["user"]["id"]},
        bearer(attacker["accessToken"]),
    )
    assert seen == {"data": {"user": None}}
    assert await auth.accepted(victim["accessToken"])


async def test_revoke_all_own_sessions_and_admin_revokes_any_user(auth: Auth) -> None:
    user = await auth.new_login("doctor")
    admin = await auth.role_headers("admin")
    body = await auth.call(
        "mutation($id: ID!) { revokeAllSessions(userId: $id) }", {"id": user["user"]["id"]}, admin
    )
    assert body == {"data": {"revokeAllSessions": 1}}
    assert not await auth.accepted(user["accessToken"])

    mine = await auth.new_login("doctor")
    body = await auth.call("mutation { revokeAllSessions }", headers=bearer(mine["accessToken"]))
    assert body == {"data": {"revokeAllSessions": 1}}
    assert not await auth.accepted(mine["accessToken"])
