"""SQL for admins; the only module here (besides audit_repository) that builds queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.admins.models import Admin
from subgraphs.kit.db import ConstraintViolation, flush

__all__ = [
    "ConstraintViolation",
    "active_count",
    "count",
    "flush",
    "get_for_update",
    "get_many",
    "insert",
    "list_page",
]


async def insert(session: AsyncSession, row: Admin) -> Admin:
    session.add(row)
    await flush(session)
    return row


async def get_many(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Admin]:
    return (await session.scalars(select(Admin).where(Admin.id.in_(ids)))).all()


async def get_for_update(session: AsyncSession, admin_id: uuid.UUID) -> Admin | None:
    query = select(Admin).where(Admin.id == admin_id).with_for_update()
    return (await session.scalars(query)).one_or_none()


async def list_page(
    session: AsyncSession, *, after: tuple[Any, ...] | None, limit: int
) -> Sequence[Admin]:
    """Name order, keyset (last, first, id)."""
    columns = (Admin.last_name, Admin.first_name, Admin.id)
    query = select(Admin)
    if after is not None:
        query = query.where(tuple_(*columns) > tuple_(*after))
    return (await session.scalars(query.order_by(*columns).limit(limit))).all()


async def count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Admin)) or 0)


async def active_count(session: AsyncSession, *, lock: bool = False) -> int:
    query = select(Admin.id).where(Admin.is_active)
    if lock:
        # Lock the active admins so two concurrent deactivations cannot both pass the check.
        query = query.with_for_update()
    return len((await session.scalars(query)).all())
