"""Who may do what on the auth subgraph: one table per operation, every kind of caller."""

from __future__ import annotations

import uuid

import pytest

from tests.auth.conftest import Auth, code_of
from tests.support.tokens import create_user

pytestmark = pytest.mark.asyncio(loop_scope="session")

CALLERS = (None, "patient", "doctor", "institution", "analyst", "admin", "service")


async def _headers(auth: Auth, caller: str | None) -> dict[str, str]:
    if caller == "service":
        return auth.service_headers()
    return await auth.role_headers(caller)


def _table(expected: dict[str | None, str | None]) -> list[tuple[str | None, str | None]]:
    return [(caller, expected[caller]) for caller in CALLERS]


@pytest.mark.parametrize(
    ("caller", "code"),
    _table({None: "UNAUTHENTICATED", "patient": "FORBIDDEN", "doctor": "FORBIDDEN",
            "institution": "FORBIDDEN", "analyst": "FORBIDDEN", "admin": None, "service": None}),
)  # fmt: skip
async def test_auth_statistics(auth: Auth, caller: str | None, code: str | None) -> None:
    query = """{ authStatistics(interval: HOUR) {
        activeSessions lockedAccounts devices devicesByType { deviceType count }
        logins failedLogins overTime { start logins failedLogins newDevices lockouts } } }"""
    body = await auth.call(query, headers=await _headers(auth, caller))
    assert code_of(body) == code, body
    if code is None:
        stats = body["data"]["authStatistics"]
        assert stats["activeSessions"] >= 1
        assert stats["logins"] >= 1
        assert stats["devices"] == sum(d["count"] for d in stats["devicesByType"])
        assert len(stats["overTime"]) in (168, 169)  # a week of hours
        assert sum(b["logins"] for b in stats["overTime"]) == stats["logins"]


@pytest.mark.parametrize(
    ("caller", "code"),
    _table({None: "UNAUTHENTICATED", "patient": "FORBIDDEN", "doctor": "FORBIDDEN",
            "institution": "FORBIDDEN", "analyst": "FORBIDDEN", "admin": None, "service": None}),
)  # fmt: skip
async def test_create_tokens_for_a_user(auth: Auth, caller: str | None, code: str | None) -> None:
    target = await create_user(auth.stack, auth.http, role="patient", password=None)
    body = await auth.call(
        "mutation($id: ID!) { createTokens(userId: $id) { accessToken user { id } } }",
        {"id": target["id"]},
        await _headers(auth, caller),
    )
    assert code_of(body) == code, body
    if code is None:
        issued = body["data"]["createTokens"]
        assert issued["user"]["id"] == target["id"]
        assert await auth.accepted(issued["accessToken"])  # a patient, signed in


@pytest.mark.parametrize(
    ("caller", "code"),
    _table({None: "UNAUTHENTICATED", "patient": "FORBIDDEN", "doctor": "FORBIDDEN",
            "institution": "FORBIDDEN", "analyst": "FORBIDDEN", "admin": "FORBIDDEN",
            "service": None}),
)  # fmt: skip
async def test_create_and_delete_user_are_service_only(
    auth: Auth, caller: str | None, code: str | None
) -> None:
    email = f"svc-{uuid.uuid4().hex[:10]}@tests.predicthealth.dev"
    headers = await _headers(auth, caller)
    created = await auth.call(
        "mutation($i: CreateUserInput!) { createUser(input: $i) { id email role profileId } }",
        {"i": {"email": email, "role": "DOCTOR", "profileId": str(uuid.uuid4())}},
        headers,
    )
    assert code_of(created) == code, created
    victim = await create_user(auth.stack, auth.http, role="patient", password=None)
    deleted = await auth.call(
        "mutation($id: ID!) { deleteUser(id: $id) }", {"id": victim["id"]}, headers
    )
    assert code_of(deleted) == code, deleted
    if code is None:
        assert created["data"]["createUser"]["email"] == email
        assert deleted == {"data": {"deleteUser": True}}
        again = await auth.call(
            "mutation($id: ID!) { deleteUser(id: $id) }", {"id": victim["id"]}, headers
        )
        assert again == {"data": {"deleteUser": False}}


async def test_create_user_rejects_duplicates_bad_emails_and_the_service_role(auth: Auth) -> None:
    mutation = "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }"
    service = auth.service_headers()
    duplicate = await auth.call(
        mutation, {"i": {"email": "ADMIN@predicthealth.dev", "role": "ADMIN"}}, service
    )
    assert code_of(duplicate) == "CONFLICT"
    assert duplicate["errors"][0]["extensions"]["field"] == "email"
    bad = await auth.call(mutation, {"i": {"email": "not-an-email", "role": "ADMIN"}}, service)
    assert bad["errors"][0]["extensions"]["field"] == "email"
    svc = await auth.call(mutation, {"i": {"email": "x@example.org", "role": "SERVICE"}}, service)
    assert svc["errors"][0]["extensions"]["field"] == "role"


@pytest.mark.parametrize(
    ("caller", "sees"),
    [(None, False), ("patient", False), ("doctor", False), ("institution", False),
     ("analyst", False), ("admin", True), ("service", True), ("self", True)],
)  # fmt: skip
async def test_user_entity_visibility(auth: Auth, caller: str, sees: bool) -> None:
    owner = await auth.new_login("doctor") if caller == "self" else None
    if owner is not None:
        user_id = owner["user"]["id"]
        headers = {"authorization": f"Bearer {owner['accessToken']}"}
    else:
        user_id = (await create_user(auth.stack, auth.http, role="doctor", password=None))["id"]
        headers = await _headers(auth, caller)
    body = await auth.call(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email } } }",
        {"r": [{"__typename": "User", "id": user_id}]},
        headers,
    )
    entity = body["data"]["_entities"][0]
    assert (entity is not None) is sees, body
