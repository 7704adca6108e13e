"""SQL for doctors and specialties; the only module here that builds queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from subgraphs.doctors.models import Doctor, Specialty, name_key
from subgraphs.doctors.search import DoctorFilter, DoctorSort, SortField, like_pattern
from subgraphs.kit.db import ConstraintViolation, flush

__all__ = [
    "ConstraintViolation",
    "conditions",
    "count",
    "count_by_institution",
    "flush",
    "get_doctors",
    "get_for_update",
    "get_specialties",
    "insert",
    "list_specialties",
    "page_by_institution",
    "search",
    "sort_key",
]


async def insert(session: AsyncSession, row: Doctor) -> Doctor:
    session.add(row)
    await flush(session)
    return row


async def get_doctors(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Doctor]:
    return (await session.scalars(select(Doctor).where(Doctor.id.in_(ids)))).all()


async def get_for_update(session: AsyncSession, doctor_id: uuid.UUID) -> Doctor | None:
    query = select(Doctor).where(Doctor.id == doctor_id).with_for_update()
    return (await session.scalars(query)).one_or_none()


async def get_specialties(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Specialty]:
    return (await session.scalars(select(Specialty).where(Specialty.id.in_(ids)))).all()


async def list_specialties(session: AsyncSession) -> Sequence[Specialty]:
    return (await session.scalars(select(Specialty).order_by(Specialty.name))).all()


def conditions(where: DoctorFilter, table: Any = Doctor) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if where.ids is not None:
        found.append(table.id.in_(where.ids))
    if where.institution_ids is not None:
        found.append(table.institution_id.in_(where.institution_ids))
    if where.specialty_ids is not None:
        found.append(
            or_(
                table.specialty_id.in_(where.specialty_ids),
                table.secondary_specialty_id.in_(where.specialty_ids),
            )
        )
    if where.statuses is not None:
        found.append(table.professional_status.in_(where.statuses))
    if where.license_statuses is not None:
        found.append(table.license_status.in_(where.license_statuses))
    if where.is_active is not None:
        found.append(table.is_active.is_(where.is_active))
    if where.name:
        # Same IMMUTABLE function as the trigram index, on both sides of LIKE.
        pattern = func.doctors.fold(like_pattern(where.name))
        key: Any = name_key(table.first_name, table.last_name)
        found.append(key.like(pattern))
    return found


def _sort_columns(sort: DoctorSort, table: Any = Doctor) -> tuple[Any, ...]:
    if sort.field is SortField.CREATED_AT:
        return (table.created_at, table.id)
    if sort.field is SortField.YEARS_EXPERIENCE:
        return (table.years_experience, table.id)
    return (table.last_name, table.first_name, table.id)


def sort_key(row: Doctor, sort: DoctorSort) -> tuple[Any, ...]:
    """The values a cursor after `row` carries (same order as the ORDER BY)."""
    return tuple(getattr(row, column.key) for column in _sort_columns(sort))


def _order(sort: DoctorSort, table: Any = Doctor) -> list[Any]:
    return [c.desc() if sort.descending else c.asc() for c in _sort_columns(sort, table)]


def _after(sort: DoctorSort, after: tuple[Any, ...], table: Any = Doctor) -> ColumnElement[bool]:
    position, bound = tuple_(*_sort_columns(sort, table)), tuple_(*after)
    return position < bound if sort.descending else position > bound


async def search(
    session: AsyncSession,
    where: DoctorFilter,
    sort: DoctorSort,
    *,
    after: tuple[Any, ...] | None,
    limit: int,
) -> Sequence[Doctor]:
    """One keyset page: rows strictly after `after` in the sort order (no OFFSET)."""
    query = select(Doctor).where(*conditions(where))
    if after is not None:
        query = query.where(_after(sort, after))
    return (await session.scalars(query.order_by(*_order(sort)).limit(limit))).all()


async def count(session: AsyncSession, where: DoctorFilter) -> int:
    query = select(func.count()).select_from(Doctor).where(*conditions(where))
    return int(await session.scalar(query) or 0)


async def page_by_institution(
    session: AsyncSession,
    institution_ids: Sequence[uuid.UUID],
    where: DoctorFilter,
    sort: DoctorSort,
    *,
    after: tuple[Any, ...] | None,
    limit: int,
) -> Sequence[Doctor]:
    """The first `limit` doctors of each institution, for many institutions in ONE statement
    (row_number per institution), so `Institution.doctors` never runs a query per institution."""
    rank = (
        func.row_number()
        .over(partition_by=Doctor.institution_id, order_by=_order(sort))
        .label("rank")
    )
    inner = select(Doctor, rank).where(
        Doctor.institution_id.in_(institution_ids), *conditions(where)
    )
    if after is not None:
        inner = inner.where(_after(sort, after))
    ranked = inner.subquery()
    doctor = aliased(Doctor, ranked)
    query = (
        select(doctor)
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.institution_id, ranked.c.rank)
    )
    return (await session.scalars(query)).all()


async def count_by_institution(
    session: AsyncSession, institution_ids: Sequence[uuid.UUID], where: DoctorFilter
) -> dict[uuid.UUID, int]:
    query = (
        select(Doctor.institution_id, func.count())
        .where(Doctor.institution_id.in_(institution_ids), *conditions(where))
        .group_by(Doctor.institution_id)
    )
    return {row[0]: int(row[1]) for row in (await session.execute(query)).all() if row[0]}
