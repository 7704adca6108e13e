"""Auth: sign-ins (done and failed), token and session changes, logins made and removed, key
rotation are audit events, never carrying a password or a token; `userCounts` by role."""

from __future__ import annotations

import itertools
import json
import uuid

import httpx
import pytest

from tests.audit_adoption.helpers import event_of, request_headers
from tests.directory.factories import code_of, gql
from tests.patients.helpers import ROLES, as_role, service
from tests.support.stack import SubgraphStack
from tests.support.tokens import TEST_PASSWORD, create_user, login

pytestmark = pytest.mark.asyncio(loop_scope="session")

_LOGIN = """mutation($e: String!, $p: String!) { login(email: $e, password: $p) {
  refreshToken sessionId user { id } } }"""
_REFRESH = "mutation($t: String!) { refreshToken(refreshToken: $t) { sessionId } }"
_CHANGE = (
    "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }"
)
_ips = itertools.count(1)


def _client(headers: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """A request id, and a client address of its own so no throttle of another test applies."""
    n = next(_ips)
    return request_headers(
        {**(headers or {}), "x-forwarded-for": f"198.19.{n // 250}.{n % 250 + 1}"}
    )


async def test_a_failed_login_is_recorded_without_the_password(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    user = await create_user(stack, http, role="patient")
    wrong = "Not-the-password-4711"
    request_id, headers = _client()
    body = await gql(stack, http, "auth", _LOGIN, {"e": user["email"], "p": wrong}, headers)
    assert code_of(body) == "UNAUTHENTICATED"
    event = await event_of(stack, http, request_id, action="auth.login")
    assert event["service"] == "auth"
    assert event["outcome"] == "denied"
    assert event["actorUserId"] is None
    assert event["actorRole"] is None
    assert event["targetIds"] == [user["id"]]
    assert event["details"]["reason"] == "invalid_credentials"
    assert wrong not in json.dumps(event)
    assert TEST_PASSWORD not in json.dumps(event)


async def test_a_login_and_its_refresh_are_recorded_without_tokens(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    user = await create_user(stack, http, role="doctor")
    request_id, headers = _client()
    body = await gql(stack, http, "auth", _LOGIN, {"e": user["email"], "p": TEST_PASSWORD}, headers)
    signed_in = body["data"]["login"]
    event = await event_of(stack, http, request_id, action="auth.login")
    assert (event["outcome"], event["targetIds"]) == ("success", [user["id"]])
    assert event["details"]["session_id"] == signed_in["sessionId"]
    assert TEST_PASSWORD not in json.dumps(event)
    refresh_id, headers = _client()
    token = signed_in["refreshToken"]
    assert not (await gql(stack, http, "auth", _REFRESH, {"t": token}, headers)).get("errors")
    again_id, headers = _client()
    reused = await gql(stack, http, "auth", _REFRESH, {"t": token}, headers)
    assert code_of(reused) == "UNAUTHENTICATED"
    done = await event_of(stack, http, refresh_id, action="auth.refresh")
    refused = await event_of(stack, http, again_id, action="auth.refresh")
    assert (done["outcome"], refused["outcome"]) == ("success", "denied")
    assert done["targetIds"] == refused["targetIds"] == [user["id"]]
    for recorded in (done, refused):
        assert token not in json.dumps(recorded)


async def test_password_change_and_logout_are_recorded(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    user = await create_user(stack, http, role="patient")
    signed_in = await login(stack, http, user["email"], TEST_PASSWORD)
    bearer = {"authorization": f"Bearer {signed_in['accessToken']}"}
    new = "Another-Strong-Passphrase-2026"
    wrong_id, headers = _client(bearer)
    refused = await gql(stack, http, "auth", _CHANGE, {"c": "not it", "n": new}, headers)
    assert code_of(refused) == "BAD_USER_INPUT"
    done_id, headers = _client(bearer)
    done = await gql(stack, http, "auth", _CHANGE, {"c": TEST_PASSWORD, "n": new}, headers)
    assert done == {"data": {"changePassword": True}}
    out_id, headers = _client(bearer)
    assert (await gql(stack, http, "auth", "mutation { logout }", None, headers))["data"]
    rejected = await event_of(stack, http, wrong_id, action="auth.change_password")
    changed = await event_of(stack, http, done_id, action="auth.change_password")
    logout = await event_of(stack, http, out_id, action="auth.logout")
    assert (rejected["outcome"], changed["outcome"], logout["outcome"]) == (
        "rejected", "success", "success",
    )  # fmt: skip
    for event in (rejected, changed, logout):
        assert event["actorUserId"] == user["id"]
        assert event["actorRole"] == "patient"
        assert event["sessionId"] == signed_in["sessionId"]
        assert new not in json.dumps(event)
        assert TEST_PASSWORD not in json.dumps(event)


async def test_service_and_admin_mutations_are_recorded(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    create_id, headers = _client(service(stack))
    query = """mutation($e: String!) { createUser(input: {email: $e, role: ANALYST,
      password: "Analyst-Passphrase-2026"}) { id } }"""
    body = await gql(stack, http, "auth", query, {"e": f"{create_id}@tests.predicthealth.dev"},
                     headers)  # fmt: skip
    user_id = body["data"]["createUser"]["id"]
    unlock_id, headers = _client(await as_role(stack, http, "admin"))
    unlock = "mutation($id: ID!) { unlockUser(id: $id) }"
    assert (await gql(stack, http, "auth", unlock, {"id": user_id}, headers))["data"]
    denied_id, headers = _client(await as_role(stack, http, "doctor"))
    assert code_of(await gql(stack, http, "auth", unlock, {"id": user_id}, headers)) == "FORBIDDEN"
    delete_id, headers = _client(service(stack))
    delete = "mutation($id: ID!) { deleteUser(id: $id) }"
    assert (await gql(stack, http, "auth", delete, {"id": user_id}, headers))["data"]["deleteUser"]
    created = await event_of(stack, http, create_id, action="auth.create_user")
    assert (created["actorRole"], created["targetIds"]) == ("service", [user_id])
    assert created["details"] == {"role": "analyst"}
    unlocked = await event_of(stack, http, unlock_id, action="auth.unlock_user")
    assert (unlocked["outcome"], unlocked["actorRole"]) == ("success", "admin")
    refused = await event_of(stack, http, denied_id, action="auth.unlock_user")
    assert (refused["outcome"], refused["actorRole"]) == ("denied", "doctor")
    deleted = await event_of(stack, http, delete_id, action="auth.delete_user")
    assert (deleted["outcome"], deleted["targetIds"]) == ("success", [user_id])


async def test_key_rotation_is_recorded(stack: SubgraphStack, http: httpx.AsyncClient) -> None:
    denied_id, headers = _client(await as_role(stack, http, "analyst"))
    rotate = "mutation { rotateSigningKey }"
    assert code_of(await gql(stack, http, "auth", rotate, None, headers)) == "FORBIDDEN"
    done_id, headers = _client(service(stack))
    assert not (await gql(stack, http, "auth", rotate, None, headers)).get("errors")
    refused = await event_of(stack, http, denied_id, action="auth.rotate_signing_key")
    done = await event_of(stack, http, done_id, action="auth.rotate_signing_key")
    assert (refused["outcome"], done["outcome"]) == ("denied", "success")


_USER_COUNTS = "{ userCounts { total byRole { role count } } }"
_ALLOWED = {"admin"}
_REFUSED = {"anonymous": "UNAUTHENTICATED"}


@pytest.mark.parametrize("role", ROLES)
async def test_user_counts_by_role(
    stack: SubgraphStack, http: httpx.AsyncClient, role: str
) -> None:
    body = await gql(stack, http, "auth", _USER_COUNTS, None, await as_role(stack, http, role))
    if role not in _ALLOWED:
        assert code_of(body) == _REFUSED.get(role, "FORBIDDEN")
        return
    counts = body["data"]["userCounts"]
    by_role = {row["role"]: row["count"] for row in counts["byRole"]}
    assert set(by_role) == {"ADMIN", "INSTITUTION", "DOCTOR", "PATIENT", "ANALYST"}
    assert by_role["ANALYST"] >= 1
    assert by_role["ADMIN"] >= 1
    assert counts["total"] == sum(by_role.values())


async def test_user_counts_count_a_profile_once(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    async def counts() -> dict[str, int]:
        body = await gql(stack, http, "auth", _USER_COUNTS, None, service(stack))
        return {r["role"]: r["count"] for r in body["data"]["userCounts"]["byRole"]}

    before = await counts()
    profile = str(uuid.uuid4())
    made = [await create_user(stack, http, role="patient", profile_id=profile) for _ in range(2)]
    made.append(await create_user(stack, http, role="analyst"))
    after = await counts()
    for user in made:
        await gql(stack, http, "auth", "mutation($id: ID!) { deleteUser(id: $id) }",
                  {"id": user["id"]}, service(stack))  # fmt: skip
    assert after["PATIENT"] - before["PATIENT"] == 1  # two logins of one profile: one user
    assert after["ANALYST"] - before["ANALYST"] == 1  # an analyst is their login
    assert after["DOCTOR"] == before["DOCTOR"]


async def test_session_mutations_are_recorded(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    user = await create_user(stack, http, role="patient")
    other = await create_user(stack, http, role="patient")
    admin = await as_role(stack, http, "admin")
    tokens_id, headers = _client(admin)
    issue = (
        "mutation($id: ID!) { createTokens(userId: $id) { sessionId accessToken refreshToken } }"
    )
    issued = (await gql(stack, http, "auth", issue, {"id": user["id"]}, headers))["data"]
    session_id = issued["createTokens"]["sessionId"]
    mine = {"authorization": f"Bearer {issued['createTokens']['accessToken']}"}
    all_id, headers = _client(mine)
    revoke_all = "mutation($id: ID) { revokeAllSessions(userId: $id) }"
    refused = await gql(stack, http, "auth", revoke_all, {"id": other["id"]}, headers)
    assert code_of(refused) == "FORBIDDEN"
    device_id, headers = _client(mine)
    device = "mutation($id: ID!) { revokeDevice(id: $id) }"
    missing = str(uuid.uuid4())
    assert code_of(await gql(stack, http, "auth", device, {"id": missing}, headers)) == "NOT_FOUND"
    revoke_id, headers = _client(admin)
    revoke = "mutation($id: ID!) { revokeSession(id: $id) }"
    assert (await gql(stack, http, "auth", revoke, {"id": session_id}, headers))["data"]
    token = issued["createTokens"]["refreshToken"]
    created = await event_of(stack, http, tokens_id, action="auth.create_tokens")
    assert (created["outcome"], created["targetIds"]) == ("success", [user["id"]])
    assert created["details"]["session_id"] == session_id
    denied = await event_of(stack, http, all_id, action="auth.revoke_all_sessions")
    assert (denied["outcome"], denied["targetIds"]) == ("denied", [other["id"]])
    assert denied["actorUserId"] == user["id"]
    not_found = await event_of(stack, http, device_id, action="auth.revoke_device")
    assert (not_found["outcome"], not_found["details"]) == ("not_found", {"device_id": missing})
    revoked = await event_of(stack, http, revoke_id, action="auth.revoke_session")
    assert (revoked["outcome"], revoked["targetIds"]) == ("success", [user["id"]])
    assert revoked["details"] == {"session_ids": [session_id]}
    for event in (created, denied, not_found, revoked):
        assert token not in json.dumps(event)
        assert issued["createTokens"]["accessToken"] not in json.dumps(event)
