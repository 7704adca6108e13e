"""SQL for institutions; the only module here that builds queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.institutions.models import Institution

__all__ = ["get_many", "list_page"]


async def get_many(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Institution]:
    result = await session.scalars(select(Institution).where(Institution.id.in_(ids)))
    return result.all()


async def list_page(session: AsyncSession, *, limit: int) -> Sequence[Institution]:
    result = await session.scalars(
        select(Institution).order_by(Institution.name, Institution.id).limit(limit)
    )
    return result.all()
