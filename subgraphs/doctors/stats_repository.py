"""Aggregate SQL for doctor statistics: one pass with GROUPING SETS, or the specialty x
institution table (~18,000 groups at scale) when that is asked for."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.doctors.models import Doctor, Specialty
from subgraphs.doctors.repository import conditions
from subgraphs.doctors.search import DoctorFilter

__all__ = [
    "Group",
    "by_license_status",
    "by_specialty_and_institution",
    "by_status",
    "groups",
    "totals",
]

#: (figure, key, specialty name, doctors, active doctors); figure is "specialty" (key: its id),
#: "institution", "status", "license_status" or "all" (key None).
Group = tuple[str, object, str | None, int, int]
_SETS = ("specialty", "institution", "status", "license_status")


async def totals(session: AsyncSession, where: DoctorFilter) -> tuple[int, int]:
    """(total, active) in one pass."""
    query = select(func.count(), func.count().filter(Doctor.is_active)).where(*conditions(where))
    row = (await session.execute(query)).one()
    return int(row[0]), int(row[1])


async def by_specialty_and_institution(
    session: AsyncSession, where: DoctorFilter
) -> Sequence[tuple[uuid.UUID | None, str | None, uuid.UUID | None, int]]:
    """(specialty id, specialty name, institution id, count) by primary specialty; the per-
    specialty and per-institution figures are summed from this table by the service."""
    query = (
        select(Specialty.id, Specialty.name, Doctor.institution_id, func.count())
        .select_from(Doctor)
        .outerjoin(Specialty, Specialty.id == Doctor.specialty_id)
        .where(*conditions(where))
        .group_by(Specialty.id, Specialty.name, Doctor.institution_id)
    )
    return [(r[0], r[1], r[2], int(r[3])) for r in (await session.execute(query)).all()]


async def by_status(session: AsyncSession, where: DoctorFilter) -> Sequence[tuple[str, int]]:
    query = (
        select(Doctor.professional_status, func.count())
        .where(*conditions(where))
        .group_by(Doctor.professional_status)
        .order_by(Doctor.professional_status)
    )
    return [(r[0], int(r[1])) for r in (await session.execute(query)).all()]


async def by_license_status(
    session: AsyncSession, where: DoctorFilter
) -> Sequence[tuple[str, int]]:
    query = (
        select(Doctor.license_status, func.count())
        .where(*conditions(where))
        .group_by(Doctor.license_status)
        .order_by(Doctor.license_status)
    )
    return [(r[0], int(r[1])) for r in (await session.execute(query)).all()]


async def groups(session: AsyncSession, where: DoctorFilter) -> Sequence[Group]:
    """Every figure but the specialty x institution table, in one pass over the doctors."""
    keys = (Specialty.id, Doctor.institution_id, Doctor.professional_status, Doctor.license_status)
    sets = func.grouping_sets(
        tuple_(Specialty.id, Specialty.name), *(tuple_(k) for k in keys[1:]), tuple_()
    )
    query = (
        select(
            func.grouping(*keys), *keys, Specialty.name, func.count(),
            func.count().filter(Doctor.is_active),
        )
        .select_from(Doctor)
        .outerjoin(Specialty, Specialty.id == Doctor.specialty_id)
        .where(*conditions(where))
        .group_by(sets)
    )  # fmt: skip
    found: list[Group] = []
    for mask, *values, name, n, active in (await session.execute(query)).all():
        # grouping() sets a bit for each key left out of the row's set: one key is in it, or none.
        figure = next((f for i, f in enumerate(_SETS) if not mask >> (3 - i) & 1), "all")
        key = None if figure == "all" else values[_SETS.index(figure)]
        found.append((figure, key, name, int(n), int(active)))
    return found
