"""Doctor directory rules. No Strawberry here."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.doctors import repository
from subgraphs.doctors.models import Doctor, Specialty
from subgraphs.kit.errors import Invalid
from subgraphs.kit.principal import Principal

__all__ = ["MAX_PAGE", "list_doctors", "list_specialties"]

MAX_PAGE = 100


async def list_doctors(
    session: AsyncSession, principal: Principal, *, first: int
) -> Sequence[Doctor]:
    """Directory fields are visible to every authenticated caller."""
    del principal
    if not 0 < first <= MAX_PAGE:
        raise Invalid("first", f"must be between 1 and {MAX_PAGE}")
    return await repository.list_doctors(session, limit=first)


async def list_specialties(session: AsyncSession) -> Sequence[Specialty]:
    return await repository.list_specialties(session)
