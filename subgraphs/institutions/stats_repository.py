"""Aggregate SQL for institution statistics (one GROUP BY per figure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Date, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.institutions.models import Institution
from subgraphs.institutions.repository import conditions
from subgraphs.institutions.search import InstitutionFilter

__all__ = ["by_type", "by_type_and_region", "new_per_month", "totals"]


async def totals(session: AsyncSession, where: InstitutionFilter) -> tuple[int, int, int]:
    """(total, verified, active) in one pass."""
    query = select(
        func.count(),
        func.count().filter(Institution.is_verified),
        func.count().filter(Institution.is_active),
    ).where(*conditions(where))
    row = (await session.execute(query)).one()
    return int(row[0]), int(row[1]), int(row[2])


async def by_type(session: AsyncSession, where: InstitutionFilter) -> Sequence[tuple[str, int]]:
    query = (
        select(Institution.institution_type, func.count())
        .where(*conditions(where))
        .group_by(Institution.institution_type)
        .order_by(func.count().desc(), Institution.institution_type)
    )
    return [(r[0], int(r[1])) for r in (await session.execute(query)).all()]


async def by_type_and_region(
    session: AsyncSession, where: InstitutionFilter
) -> Sequence[tuple[str, str | None, int]]:
    """The type x region table; per-region totals are summed from it by the service."""
    query = (
        select(Institution.institution_type, Institution.region, func.count())
        .where(*conditions(where))
        .group_by(Institution.institution_type, Institution.region)
        .order_by(Institution.institution_type, Institution.region)
    )
    return [(r[0], r[1], int(r[2])) for r in (await session.execute(query)).all()]


async def new_per_month(
    session: AsyncSession, where: InstitutionFilter, *, timezone: str
) -> Sequence[tuple[date, int]]:
    local = func.timezone(timezone, Institution.created_at)
    month = cast(func.date_trunc("month", local), Date).label("month")
    query = select(month, func.count()).where(*conditions(where)).group_by(month).order_by(month)
    return [(r[0], int(r[1])) for r in (await session.execute(query)).all()]
