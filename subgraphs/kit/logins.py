"""Create a profile and its login (auth subgraph) all-or-nothing, compensating on failure."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.principal import Role
from subgraphs.kit.service_client import ServiceClient

__all__ = ["AuthLogins", "LoginGateway", "NewLogin", "create_with_login"]

_log = logging.getLogger("predicthealth.logins")
T = TypeVar("T")

# The role goes in as an enum literal taken from our own Role enum (never from input), so the
# query does not depend on the name auth gives its role enum type.
_CREATE = """
mutation CreateLogin($email: String!, $password: String!, $profileId: ID!) {
  createUser(input: {email: $email, password: $password, role: %s, profileId: $profileId}) { id }
}
"""
_DELETE = "mutation DeleteLogin($id: ID!) { deleteUser(id: $id) }"


@dataclass(frozen=True, slots=True)
class NewLogin:
    email: str
    password: str
    role: Role
    profile_id: uuid.UUID


class LoginGateway(Protocol):
    """Where logins are made; the auth subgraph in production, a wrapper with faults in tests."""

    async def create_login(self, login: NewLogin) -> uuid.UUID: ...

    async def delete_login(self, user_id: uuid.UUID) -> None: ...


class AuthLogins:
    """The auth subgraph's service mutations `createUser` / `deleteUser`."""

    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    async def create_login(self, login: NewLogin) -> uuid.UUID:
        data = await self.client.execute(
            "auth",
            _CREATE % login.role.name,
            {"email": login.email, "password": login.password, "profileId": str(login.profile_id)},
        )
        return uuid.UUID(str(data["createUser"]["id"]))

    async def delete_login(self, user_id: uuid.UUID) -> None:
        await self.client.execute("auth", _DELETE, {"id": str(user_id)})


async def _compensate(logins: LoginGateway, user_id: uuid.UUID) -> None:
    try:
        # Shielded: a cancelled request must still remove the login it created.
        await asyncio.shield(logins.delete_login(user_id))
    except Exception:  # noqa: BLE001 - never mask the failure that made us compensate
        _log.exception("could not delete the orphaned login %s; remove it by hand", user_id)


async def create_with_login(
    write: Callable[[], AbstractAsyncContextManager[AsyncSession]],
    logins: LoginGateway,
    *,
    insert: Callable[[AsyncSession], Awaitable[T]],
    login_for: Callable[[T], NewLogin],
    attach: Callable[[T, uuid.UUID], None],
) -> T:
    """Insert the profile (flushed, so constraints fire first), create its login, commit.

    Any failure rolls the profile back; a login created before the failure is deleted again.
    """
    user_id: uuid.UUID | None = None
    try:
        async with write() as session:
            row = await insert(session)
            user_id = await logins.create_login(login_for(row))
            attach(row, user_id)
            await session.flush()
        return row
    except BaseException:
        if user_id is not None:
            await _compensate(logins, user_id)
        raise
