"""SQL for users; the only module here that builds queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.auth.models import User

__all__ = ["get_many"]


async def get_many(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[User]:
    return (await session.scalars(select(User).where(User.id.in_(ids)))).all()
