"""Brute force and enumeration: throttling with increasing delays, lockout, per-IP limits, the
same answer for unknown emails, and the password policy."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from subgraphs.auth.throttle import LOCKED_MESSAGE, LoginPolicy
from tests.auth.conftest import Auth, bearer, code_of, unique_ip
from tests.support.stack import SubgraphStack
from tests.support.tokens import TEST_PASSWORD, create_user

pytestmark = pytest.mark.asyncio(loop_scope="session")

WRONG = "definitely not the password"


@contextmanager
def policy(stack: SubgraphStack, **changes: Any) -> Iterator[None]:
    runtime = stack.apps["auth"].state.auth
    saved = runtime.policy
    runtime.policy = LoginPolicy(**{**_RELAXED, **changes})
    try:
        yield
    finally:
        runtime.policy = saved


#: Nothing throttles or locks unless a test asks for it.
_RELAXED: dict[str, Any] = {
    "account_free_failures": 1000, "account_lock_after": 1000,
    "ip_free_failures": 1000, "ip_lock_after": 1000,
}  # fmt: skip


def _unknown_email() -> str:
    return f"nobody-{uuid.uuid4().hex[:10]}@tests.predicthealth.dev"


async def test_unknown_email_and_wrong_password_look_the_same(
    auth: Auth, stack: SubgraphStack
) -> None:
    user = await create_user(stack, auth.http, role="patient")
    no_password = await create_user(stack, auth.http, role="patient", password=None)
    ip = {"x-forwarded-for": unique_ip()}
    timings: dict[str, list[float]] = {"unknown": [], "wrong": [], "no password": []}
    errors: dict[str, list[dict[str, Any]]] = {k: [] for k in timings}
    emails = {
        "unknown": _unknown_email(),
        "wrong": user["email"],
        "no password": no_password["email"],
    }
    with policy(stack):
        for _ in range(2):
            for kind, email in emails.items():
                started = time.perf_counter()
                body = await auth.login(email, WRONG, ip)
                timings[kind].append(time.perf_counter() - started)
                errors[kind].append(body["errors"][0])
    first = {k: (v[0]["message"], v[0]["extensions"]) for k, v in errors.items()}
    assert len(set(map(str, first.values()))) == 1, first
    assert first["unknown"][1]["code"] == "UNAUTHENTICATED"
    # One bcrypt check on every path (~0.25 s): no path is measurably faster. The fastest of
    # each path's samples is the least disturbed by whatever else the machine is doing.
    fastest = {k: min(v) for k, v in timings.items()}
    assert max(fastest.values()) / min(fastest.values()) < 2.0, fastest


async def test_failures_slow_an_account_down_with_increasing_delays(
    auth: Auth, stack: SubgraphStack
) -> None:
    user = await create_user(stack, auth.http, role="patient")

    async def attempts(email: str, *, real: bool) -> None:
        ip = {"x-forwarded-for": unique_ip()}
        assert code_of(await auth.login(email, WRONG, ip)) == "UNAUTHENTICATED"
        assert code_of(await auth.login(email, WRONG, ip)) == "UNAUTHENTICATED"
        throttled = await auth.login(email, TEST_PASSWORD, ip)  # even the right password
        assert code_of(throttled) == "TOO_MANY_REQUESTS"
        assert throttled["errors"][0]["message"] == LOCKED_MESSAGE
        assert throttled["errors"][0]["extensions"]["retryAfter"] >= 1
        await asyncio.sleep(0.55)  # 2 failures → wait 0.5 s
        assert code_of(await auth.login(email, WRONG, ip)) == "UNAUTHENTICATED"
        await asyncio.sleep(0.55)  # 3 failures → wait 1 s: not yet
        assert code_of(await auth.login(email, WRONG, ip)) == "TOO_MANY_REQUESTS"
        await asyncio.sleep(0.5)
        last = await auth.login(email, TEST_PASSWORD if real else WRONG, ip)
        assert ("errors" not in last) if real else code_of(last) == "UNAUTHENTICATED", last

    with policy(stack, account_free_failures=2, base_delay=0.5):
        # An unknown email goes through exactly the same steps.
        await asyncio.gather(
            attempts(user["email"], real=True), attempts(_unknown_email(), real=False)
        )


async def test_repeated_failures_lock_the_account_until_an_admin_unlocks_it(
    auth: Auth, stack: SubgraphStack
) -> None:
    user = await create_user(stack, auth.http, role="doctor")
    ip = {"x-forwarded-for": unique_ip()}
    admin = await auth.role_headers("admin")
    with policy(stack, account_lock_after=3, lock_seconds=60):
        for _ in range(3):
            assert code_of(await auth.login(user["email"], WRONG, ip)) == "UNAUTHENTICATED"
        locked = await auth.login(user["email"], TEST_PASSWORD, ip)
        assert code_of(locked) == "TOO_MANY_REQUESTS"
        assert locked["errors"][0]["message"] == LOCKED_MESSAGE
        # An unknown email locks after the same number of failures, with the same answer.
        ghost = _unknown_email()
        await asyncio.gather(*(auth.login(ghost, WRONG, ip) for _ in range(3)))
        assert (await auth.login(ghost, WRONG, ip))["errors"] == locked["errors"]

        seen = await auth.call(
            "query($id: ID!) { user(id: $id) { lockedUntil securityEvents { kind } } }",
            {"id": user["id"]},
            admin,
        )
        assert seen["data"]["user"]["lockedUntil"] is not None
        kinds = [e["kind"] for e in seen["data"]["user"]["securityEvents"]]
        assert "account_locked" in kinds
        assert kinds.count("login_failed") == 3

        unlocked = await auth.call(
            "mutation($id: ID!) { unlockUser(id: $id) }", {"id": user["id"]}, admin
        )
        assert unlocked == {"data": {"unlockUser": True}}
        assert "errors" not in await auth.login(user["email"], TEST_PASSWORD, ip)


async def test_one_address_trying_many_accounts_is_throttled(
    auth: Auth, stack: SubgraphStack
) -> None:
    spraying = {"x-forwarded-for": unique_ip()}
    with policy(stack, ip_free_failures=3, base_delay=5.0):
        for _ in range(3):
            assert code_of(await auth.login(_unknown_email(), WRONG, spraying)) == "UNAUTHENTICATED"
        assert code_of(await auth.login(_unknown_email(), WRONG, spraying)) == "TOO_MANY_REQUESTS"
        elsewhere = {"x-forwarded-for": unique_ip()}
        assert code_of(await auth.login(_unknown_email(), WRONG, elsewhere)) == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("short-pass1", False),  # 11 characters
        ("x" * 129, False),
        ("password1234", False),  # on the common-passwords list
        ("PassWord1234", False),  # case does not help
        ("correct horse battery staple", False),
        ("ñandú volador 12", True),  # any characters; no composition rules
        ("a" * 128, True),
    ],
)
async def test_password_policy(
    auth: Auth, stack: SubgraphStack, password: str, accepted: bool
) -> None:
    body = await auth.call(
        "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
        {"i": {"email": _unknown_email(), "role": "PATIENT", "password": password}},
        auth.service_headers(),
    )
    if accepted:
        assert "errors" not in body, body
    else:
        assert code_of(body) == "BAD_USER_INPUT"
        assert body["errors"][0]["extensions"]["field"] == "password"


async def test_change_password_ends_the_other_sessions(auth: Auth, stack: SubgraphStack) -> None:
    here = await auth.new_login("patient")
    email = here["user"]["email"]
    there = (await auth.login(email, TEST_PASSWORD, {"user-agent": "Other/1.0"}))["data"]["login"]
    change = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }"
    wrong = await auth.call(
        change, {"c": WRONG, "n": "a brand new passphrase"}, bearer(here["accessToken"])
    )
    assert code_of(wrong) == "BAD_USER_INPUT"
    assert wrong["errors"][0]["extensions"]["field"] == "currentPassword"
    weak = await auth.call(
        change, {"c": TEST_PASSWORD, "n": "password1234"}, bearer(here["accessToken"])
    )
    assert weak["errors"][0]["extensions"]["field"] == "newPassword"

    done = await auth.call(
        change, {"c": TEST_PASSWORD, "n": "a brand new passphrase"}, bearer(here["accessToken"])
    )
    assert done == {"data": {"changePassword": True}}
    assert not await auth.accepted(there["accessToken"])
    assert await auth.accepted(here["accessToken"])
    ip = {"x-forwarded-for": unique_ip()}
    assert code_of(await auth.login(email, TEST_PASSWORD, ip)) == "UNAUTHENTICATED"
    assert "errors" not in await auth.login(email, "a brand new passphrase", ip)
