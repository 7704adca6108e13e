"""Institution rules: who may read what. No Strawberry here."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.institutions import repository
from subgraphs.institutions.models import Institution
from subgraphs.kit.errors import Invalid
from subgraphs.kit.principal import Principal

__all__ = ["MAX_PAGE", "list_institutions"]

MAX_PAGE = 100


async def list_institutions(
    session: AsyncSession, principal: Principal, *, first: int
) -> Sequence[Institution]:
    """The directory is readable by every authenticated caller."""
    del principal  # any authenticated role may read the directory
    if not 0 < first <= MAX_PAGE:
        raise Invalid("first", f"must be between 1 and {MAX_PAGE}")
    return await repository.list_page(session, limit=first)
