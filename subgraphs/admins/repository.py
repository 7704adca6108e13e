"""SQL for admins; the only module here that builds queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.admins.models import Admin

__all__ = ["get_many", "list_admins"]


async def get_many(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Admin]:
    return (await session.scalars(select(Admin).where(Admin.id.in_(ids)))).all()


async def list_admins(session: AsyncSession, *, limit: int) -> Sequence[Admin]:
    query = select(Admin).order_by(Admin.last_name, Admin.first_name, Admin.id).limit(limit)
    return (await session.scalars(query)).all()
