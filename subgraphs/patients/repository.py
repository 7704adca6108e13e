"""SQL for patients; the only module here that builds queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.patients.models import Patient

__all__ = ["count_by", "get_many", "list_page", "patients_by"]


async def get_many(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Patient]:
    return (await session.scalars(select(Patient).where(Patient.id.in_(ids)))).all()


def _ordered(query: Select[tuple[Patient]]) -> Select[tuple[Patient]]:
    return query.order_by(Patient.last_name, Patient.first_name, Patient.id)


async def list_page(
    session: AsyncSession, *, visible: ColumnElement[bool] | None, limit: int
) -> Sequence[Patient]:
    query = select(Patient).where(visible if visible is not None else true())
    return (await session.scalars(_ordered(query).limit(limit))).all()


async def patients_by(
    session: AsyncSession, column: str, keys: Sequence[uuid.UUID]
) -> Sequence[Patient]:
    owner = getattr(Patient, column)
    return (await session.scalars(_ordered(select(Patient).where(owner.in_(keys))))).all()


async def count_by(
    session: AsyncSession, column: str, keys: Sequence[uuid.UUID]
) -> Sequence[tuple[uuid.UUID, int]]:
    owner = getattr(Patient, column)
    query = select(owner, func.count()).where(owner.in_(keys)).group_by(owner)
    return [(row[0], int(row[1])) for row in (await session.execute(query)).all()]
