"""Admin rules. No Strawberry here."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.admins import repository
from subgraphs.admins.models import Admin
from subgraphs.kit.errors import Forbidden, Invalid
from subgraphs.kit.principal import Principal, Role

__all__ = ["MAX_PAGE", "list_admins"]

MAX_PAGE = 100


async def list_admins(
    session: AsyncSession, principal: Principal, *, first: int
) -> Sequence[Admin]:
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("Only admins may list admins")
    if not 0 < first <= MAX_PAGE:
        raise Invalid("first", f"must be between 1 and {MAX_PAGE}")
    return await repository.list_admins(session, limit=first)
