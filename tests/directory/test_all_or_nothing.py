"""Creating a profile and its login is all-or-nothing, with failures injected at every step."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from subgraphs.kit.errors import ServiceUnavailable
from subgraphs.kit.logins import AuthLogins, LoginGateway, NewLogin
from subgraphs.kit.service_client import ServiceClient
from tests.directory.conftest import scalar
from tests.directory.factories import code_of, gql, service_headers, unique
from tests.support.stack import SubgraphStack
from tests.support.tokens import TEST_PASSWORD, create_user

pytestmark = pytest.mark.asyncio(loop_scope="session")

SUBGRAPHS = ("doctors", "institutions")
_MUTATION = {
    "doctors": "mutation($input: CreateDoctorInput!) { createDoctor(input: $input) { id } }",
    "institutions": "mutation($input: CreateInstitutionInput!) { createInstitution(input: $input) { id } }",
}
_PROFILES = {
    "doctors": "SELECT count(*) FROM doctors.doctors WHERE email = :e",
    "institutions": "SELECT count(*) FROM institutions.institutions WHERE contact_email = :e",
}


def _input(subgraph: str, email: str) -> dict[str, Any]:
    number = f"{uuid.uuid4().int % 10**9:09d}"
    if subgraph == "doctors":
        return {"firstName": "Lía", "lastName": "Ibáñez", "email": email,
                "password": TEST_PASSWORD, "medicalLicense": f"MED-{number}"}  # fmt: skip
    return {"name": f"Clínica {number}", "institutionType": "HOSPITAL", "contactEmail": email,
            "password": TEST_PASSWORD, "licenseNumber": f"AON-{number}"}  # fmt: skip


async def _counts(db: AsyncEngine, subgraph: str, email: str) -> tuple[int, int]:
    """(profiles, logins) with this email."""
    profiles = await scalar(db, _PROFILES[subgraph], e=email)
    logins = await scalar(db, "SELECT count(*) FROM auth.users WHERE email = :e", e=email)
    return int(profiles), int(logins)


@contextlib.contextmanager
def gateway(stack: SubgraphStack, subgraph: str, replacement: LoginGateway) -> Iterator[None]:
    state = stack.apps[subgraph].state
    original = state.logins
    state.logins = replacement
    try:
        yield
    finally:
        state.logins = original


class UnreachableAuth:
    """The auth subgraph at an address where nothing listens (a real HTTP client, real error)."""

    def __init__(self, stack: SubgraphStack) -> None:
        self.settings = stack.settings.model_copy(
            update={"auth_service_url": "http://127.0.0.1:9/graphql"}
        )

    async def create_login(self, login: NewLogin) -> uuid.UUID:
        client = ServiceClient(self.settings, timeout=1.0)
        try:
            return await AuthLogins(client).create_login(login)
        finally:
            await client.close()

    async def delete_login(self, user_id: uuid.UUID) -> None:
        client = ServiceClient(self.settings, timeout=1.0)
        try:
            await AuthLogins(client).delete_login(user_id)
        finally:
            await client.close()


class LostReply:
    """Auth creates the login, but its reply never reaches us (a timeout after the commit)."""

    def __init__(self, stack: SubgraphStack) -> None:
        self.client = ServiceClient(stack.settings)
        self.real = AuthLogins(self.client)

    async def create_login(self, login: NewLogin) -> uuid.UUID:
        await self.real.create_login(login)
        raise ServiceUnavailable("The auth service is unavailable")

    async def delete_login(self, user_id: uuid.UUID) -> None:
        await self.real.delete_login(user_id)


@pytest.mark.parametrize("subgraph", SUBGRAPHS)
async def test_auth_refusing_the_login_leaves_no_profile(
    stack: SubgraphStack, http: httpx.AsyncClient, db: AsyncEngine, subgraph: str
) -> None:
    email = f"taken-{unique()}@tests.predicthealth.dev"
    await create_user(stack, http, role="patient", email=email)  # the email is already a login
    body = await gql(stack, http, subgraph, _MUTATION[subgraph],
                     {"input": _input(subgraph, email)}, service_headers(stack))  # fmt: skip
    assert code_of(body) == "CONFLICT"
    assert body["errors"][0]["extensions"]["field"] == "email"
    assert await _counts(db, subgraph, email) == (0, 1)  # only the pre-existing login


@pytest.mark.parametrize("subgraph", SUBGRAPHS)
async def test_commit_failure_compensates_the_login(
    stack: SubgraphStack, http: httpx.AsyncClient, db: AsyncEngine, subgraph: str
) -> None:
    """The last step (COMMIT of the profile) fails after auth created the login."""
    email = f"commit-{unique()}@tests.predicthealth.dev"
    engine = stack.apps[subgraph].state.engine.sync_engine

    def refuse(session: Session) -> None:
        ours = session.get_bind() is engine
        mine = any(email in (getattr(o, "email", None), getattr(o, "contact_email", None))
                   for o in session.identity_map.values())  # fmt: skip
        if ours and mine:
            raise ConnectionResetError("server closed the connection during COMMIT")

    event.listen(Session, "before_commit", refuse)
    try:
        body = await gql(stack, http, subgraph, _MUTATION[subgraph],
                         {"input": _input(subgraph, email)}, service_headers(stack))  # fmt: skip
    finally:
        event.remove(Session, "before_commit", refuse)
    assert code_of(body) == "INTERNAL_SERVER_ERROR"
    assert await _counts(db, subgraph, email) == (0, 0)


@pytest.mark.parametrize("subgraph", SUBGRAPHS)
async def test_auth_down_leaves_nothing(
    stack: SubgraphStack, http: httpx.AsyncClient, db: AsyncEngine, subgraph: str
) -> None:
    email = f"down-{unique()}@tests.predicthealth.dev"
    with gateway(stack, subgraph, UnreachableAuth(stack)):
        body = await gql(stack, http, subgraph, _MUTATION[subgraph],
                         {"input": _input(subgraph, email)}, service_headers(stack))  # fmt: skip
    assert code_of(body) == "SERVICE_UNAVAILABLE"
    assert await _counts(db, subgraph, email) == (0, 0)


@pytest.mark.parametrize("subgraph", SUBGRAPHS)
async def test_lost_reply_after_auth_created_the_login_leaves_nothing(
    stack: SubgraphStack, http: httpx.AsyncClient, db: AsyncEngine, subgraph: str
) -> None:
    email = f"lost-{unique()}@tests.predicthealth.dev"
    lost = LostReply(stack)
    try:
        with gateway(stack, subgraph, lost):
            body = await gql(stack, http, subgraph, _MUTATION[subgraph],
                             {"input": _input(subgraph, email)}, service_headers(stack))  # fmt: skip
    finally:
        await lost.client.close()
    assert code_of(body) == "SERVICE_UNAVAILABLE"
    assert await _counts(db, subgraph, email) == (0, 0)


@pytest.mark.parametrize("subgraph", SUBGRAPHS)
async def test_profile_failure_never_reaches_auth(
    stack: SubgraphStack, http: httpx.AsyncClient, db: AsyncEngine, subgraph: str
) -> None:
    """A profile the database refuses (duplicate licence) is refused before any login exists."""
    first_email = f"first-{unique()}@tests.predicthealth.dev"
    values = _input(subgraph, first_email)
    body = await gql(stack, http, subgraph, _MUTATION[subgraph], {"input": values},
                     service_headers(stack))  # fmt: skip
    assert code_of(body) is None
    email = f"second-{unique()}@tests.predicthealth.dev"
    duplicate = {**values, ("email" if subgraph == "doctors" else "contactEmail"): email}
    body = await gql(stack, http, subgraph, _MUTATION[subgraph], {"input": duplicate},
                     service_headers(stack))  # fmt: skip
    assert code_of(body) == "CONFLICT"
    assert await _counts(db, subgraph, email) == (0, 0)


@pytest.mark.parametrize("subgraph", SUBGRAPHS)
async def test_racing_duplicates_make_one_profile_and_one_login(
    stack: SubgraphStack, http: httpx.AsyncClient, db: AsyncEngine, subgraph: str
) -> None:
    """Two creations with the same licence at once: the unique index makes the second wait for
    the first, then refuses it before it ever reaches auth."""
    emails = [f"race{i}-{unique()}@tests.predicthealth.dev" for i in range(2)]
    first = _input(subgraph, emails[0])
    licence = "medicalLicense" if subgraph == "doctors" else "licenseNumber"
    email_field = "email" if subgraph == "doctors" else "contactEmail"
    second = {**first, email_field: emails[1], licence: first[licence]}
    if subgraph == "institutions":
        second["name"] = first["name"] + " bis"
    bodies = await asyncio.gather(
        *(gql(stack, http, subgraph, _MUTATION[subgraph], {"input": values},
              service_headers(stack)) for values in (first, second))
    )  # fmt: skip
    assert sorted(str(code_of(b)) for b in bodies) == ["CONFLICT", "None"]
    counts = [await _counts(db, subgraph, email) for email in emails]
    assert sorted(counts) == [(0, 0), (1, 1)]
