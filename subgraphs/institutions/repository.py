"""SQL for institutions; the only module here that builds queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.institutions.models import Institution, name_key
from subgraphs.institutions.search import (
    InstitutionFilter,
    InstitutionSort,
    SortField,
    like_pattern,
)
from subgraphs.kit.db import ConstraintViolation, flush

__all__ = [
    "ConstraintViolation",
    "count",
    "delete_institution",
    "flush",
    "get_for_update",
    "get_many",
    "insert",
    "search",
    "sort_key",
]


async def get_many(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Institution]:
    result = await session.scalars(select(Institution).where(Institution.id.in_(ids)))
    return result.all()


async def get_for_update(session: AsyncSession, institution_id: uuid.UUID) -> Institution | None:
    query = select(Institution).where(Institution.id == institution_id).with_for_update()
    return (await session.scalars(query)).one_or_none()


async def insert(session: AsyncSession, row: Institution) -> Institution:
    session.add(row)
    await flush(session)
    return row


async def delete_institution(session: AsyncSession, institution_id: uuid.UUID) -> None:
    await session.execute(delete(Institution).where(Institution.id == institution_id))


def conditions(where: InstitutionFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if where.ids is not None:
        found.append(Institution.id.in_(where.ids))
    if where.types is not None:
        found.append(Institution.institution_type.in_(where.types))
    if where.regions is not None:
        found.append(Institution.region.in_(where.regions))
    if where.is_active is not None:
        found.append(Institution.is_active.is_(where.is_active))
    if where.is_verified is not None:
        found.append(Institution.is_verified.is_(where.is_verified))
    if where.name:
        # Both sides folded by the same IMMUTABLE function the trigram index is built on.
        pattern = func.institutions.fold(like_pattern(where.name))
        found.append(name_key(Institution.name).like(pattern))  # type: ignore[attr-defined]
    return found


def _sort_columns(sort: InstitutionSort) -> tuple[Any, ...]:
    if sort.field is SortField.CREATED_AT:
        return (Institution.created_at, Institution.id)
    return (Institution.name, Institution.id)


def sort_key(row: Institution, sort: InstitutionSort) -> tuple[Any, ...]:
    """The values a cursor after `row` carries (same order as the ORDER BY)."""
    if sort.field is SortField.CREATED_AT:
        return (row.created_at, row.id)
    return (row.name, row.id)


def _filtered(where: InstitutionFilter) -> Select[Any]:
    return select(Institution).where(*conditions(where))


async def search(
    session: AsyncSession,
    where: InstitutionFilter,
    sort: InstitutionSort,
    *,
    after: tuple[Any, ...] | None,
    limit: int,
) -> Sequence[Institution]:
    """One keyset page: rows strictly after `after` in the sort order (no OFFSET)."""
    columns = _sort_columns(sort)
    query = _filtered(where)
    if after is not None:
        position = tuple_(*columns)
        bound = tuple_(*after)
        query = query.where(position < bound if sort.descending else position > bound)
    order = [c.desc() if sort.descending else c.asc() for c in columns]
    rows = await session.scalars(query.order_by(*order).limit(limit))
    return rows.all()


async def count(session: AsyncSession, where: InstitutionFilter) -> int:
    query = select(func.count()).select_from(Institution).where(*conditions(where))
    return int(await session.scalar(query) or 0)
