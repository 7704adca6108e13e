"""Create a profile and its login (auth subgraph) all-or-nothing, compensating on failure."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
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
mutation CreateLogin($id: ID!, $email: String!, $password: String!, $profileId: ID!) {
  createUser(input: {id: $id, email: $email, password: $password, role: %s, profileId: $profileId}) {
    id
  }
}
"""
_DELETE = "mutation DeleteLogin($id: ID!) { deleteUser(id: $id) }"


@dataclass(frozen=True, slots=True)
class NewLogin:
    email: str
    password: str
    role: Role
    profile_id: uuid.UUID
    # Chosen here, not by auth: a login whose creation reply was lost can still be deleted.
    user_id: uuid.UUID = field(default_factory=uuid.uuid4)


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
            {
                "id": str(login.user_id),
                "email": login.email,
                "password": login.password,
                "profileId": str(login.profile_id),
            },
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

    Any failure rolls the profile back; a login that may exist by then is deleted again — by
    the id we chose, so even a create whose reply was lost (timeout) leaves no orphan.
    """
    attempted: uuid.UUID | None = None
    try:
        async with write() as session:
            row = await insert(session)
            login = login_for(row)
            attempted = login.user_id
            user_id = await logins.create_login(login)
            attach(row, user_id)
            await session.flush()
        return row
    except BaseException:
        # Deleting by our own id is harmless when auth refused (nothing was made) and essential
        # when the reply was lost or we failed after the create.
        if attempted is not None:
            await _compensate(logins, attempted)
        raise
