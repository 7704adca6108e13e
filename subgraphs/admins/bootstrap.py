"""Create the first administrator (and their login) when the system has none: the CLI's way in."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.admins import repository, service
from subgraphs.admins.models import AuditOutbox
from subgraphs.kit.audit import AuditEvent
from subgraphs.kit.db import create_engine, session_factory
from subgraphs.kit.errors import Conflict
from subgraphs.kit.logins import AuthLogins, LoginGateway
from subgraphs.kit.service_client import ServiceClient
from subgraphs.kit.settings import Settings

__all__ = ["bootstrap_admin"]


async def bootstrap_admin(
    settings: Settings,
    *,
    email: str,
    password: str,
    first_name: str = "System",
    last_name: str = "Administrator",
    department: str | None = None,
    database_url: str | None = None,
    allow_existing: bool = False,
    logins: LoginGateway | None = None,
) -> uuid.UUID:
    """The new admin's id. The login is made by the running auth subgraph (service mutation);
    refused (Conflict) while an active admin exists, unless `allow_existing`."""
    url = database_url or settings.database_url
    if not url:
        raise RuntimeError("DATABASE_URL is not set")
    engine = create_engine(settings, schema="admins", database_url=url)
    client = ServiceClient(settings)
    sessions = session_factory(engine)
    row = service.new_admin_row(
        service.NewAdmin(first_name=first_name, last_name=last_name, email=email,
                         password=password, department=department)
    )  # fmt: skip

    @asynccontextmanager
    async def write() -> AsyncIterator[AsyncSession]:
        async with sessions() as session, session.begin():
            if not allow_existing and await repository.active_count(session, lock=True):
                raise Conflict("An active administrator already exists; sign in as them instead")
            yield session
            event = AuditEvent(service="admins", action="admin.bootstrap", target_type="admin",
                               target_ids=(str(row.id),), fields=("email",),
                               details={"via": "cli"})  # fmt: skip
            session.add(AuditOutbox(**event.columns()))

    try:
        created = await service.insert_with_login(
            write, logins or AuthLogins(client), row, password
        )
        return created.id
    finally:
        await client.close()
        await engine.dispose()
