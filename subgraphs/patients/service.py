"""Patient rules. No Strawberry here."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.errors import Invalid
from subgraphs.kit.principal import Principal
from subgraphs.patients import repository
from subgraphs.patients.access import can_see, visible_to
from subgraphs.patients.models import Patient

__all__ = ["MAX_PAGE", "filter_visible", "list_patients"]

MAX_PAGE = 100


async def list_patients(
    session: AsyncSession, principal: Principal, *, first: int
) -> Sequence[Patient]:
    if not 0 < first <= MAX_PAGE:
        raise Invalid("first", f"must be between 1 and {MAX_PAGE}")
    return await repository.list_page(session, visible=visible_to(principal), limit=first)


def filter_visible(principal: Principal, rows: Sequence[Patient | None]) -> list[Patient | None]:
    """Rows the caller may not see become None: "not found", never a hint they exist."""
    return [row if row is not None and can_see(principal, row) else None for row in rows]
