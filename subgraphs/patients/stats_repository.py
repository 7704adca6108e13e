"""Aggregate SQL for patient statistics (one GROUP BY per figure, visibility always applied)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.patients.access import visible_to
from subgraphs.patients.ages import AGE_BANDS, latest_birth_date
from subgraphs.patients.models import Patient
from subgraphs.patients.repository import conditions
from subgraphs.patients.search import PatientFilter, Viewer

__all__ = ["by_age_band", "by_column", "totals"]


async def totals(
    session: AsyncSession, viewer: Viewer, where: PatientFilter, since: datetime
) -> tuple[int, int]:
    """(total, created since `since`) in one pass."""
    query = select(func.count(), func.count().filter(Patient.created_at >= since)).where(
        visible_to(viewer), *conditions(where)
    )
    row = (await session.execute(query)).one()
    return int(row[0]), int(row[1])


async def by_column(
    session: AsyncSession, viewer: Viewer, where: PatientFilter, column: str
) -> Sequence[tuple[Any, int]]:
    key = getattr(Patient, column)
    query = (
        select(key, func.count())
        .where(visible_to(viewer), *conditions(where))
        .group_by(key)
        .order_by(func.count().desc(), key)
    )
    return [(r[0], int(r[1])) for r in (await session.execute(query)).all()]


def _band_expression(today: date) -> Any:
    """CASE over birth-date cut-offs computed in Python with the same rule as `age_on`."""
    whens = []
    for label, _low, high in AGE_BANDS:
        if high is None:
            continue
        # age <= high  ⇔  born after the last birth date of someone aged high + 1.
        whens.append((Patient.date_of_birth > latest_birth_date(today, high + 1), literal(label)))
    return case(*whens, else_=literal(AGE_BANDS[-1][0]))


async def by_age_band(
    session: AsyncSession, viewer: Viewer, where: PatientFilter, today: date
) -> dict[str, int]:
    band = _band_expression(today).label("band")
    query = select(band, func.count()).where(visible_to(viewer), *conditions(where)).group_by(band)
    return {str(r[0]): int(r[1]) for r in (await session.execute(query)).all()}
