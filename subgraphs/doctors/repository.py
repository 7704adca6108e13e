"""SQL for doctors and specialties; the only module here that builds queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.doctors.models import Doctor, Specialty

__all__ = [
    "count_by_institution",
    "doctors_by_institution",
    "get_doctors",
    "get_specialties",
    "list_doctors",
    "list_specialties",
]


async def get_doctors(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Doctor]:
    return (await session.scalars(select(Doctor).where(Doctor.id.in_(ids)))).all()


async def get_specialties(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Specialty]:
    return (await session.scalars(select(Specialty).where(Specialty.id.in_(ids)))).all()


async def list_doctors(session: AsyncSession, *, limit: int) -> Sequence[Doctor]:
    query = select(Doctor).order_by(Doctor.last_name, Doctor.first_name, Doctor.id).limit(limit)
    return (await session.scalars(query)).all()


async def list_specialties(session: AsyncSession) -> Sequence[Specialty]:
    return (await session.scalars(select(Specialty).order_by(Specialty.name))).all()


async def doctors_by_institution(
    session: AsyncSession, institution_ids: Sequence[uuid.UUID]
) -> Sequence[Doctor]:
    query = (
        select(Doctor)
        .where(Doctor.institution_id.in_(institution_ids))
        .order_by(Doctor.last_name, Doctor.first_name, Doctor.id)
    )
    return (await session.scalars(query)).all()


async def count_by_institution(
    session: AsyncSession, institution_ids: Sequence[uuid.UUID]
) -> Sequence[tuple[uuid.UUID, int]]:
    query = (
        select(Doctor.institution_id, func.count())
        .where(Doctor.institution_id.in_(institution_ids))
        .group_by(Doctor.institution_id)
    )
    rows = (await session.execute(query)).all()
    return [(row[0], int(row[1])) for row in rows]
