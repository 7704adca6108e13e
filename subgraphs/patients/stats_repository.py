"""Aggregate SQL for patient statistics (visibility always applied).

Every figure but `byDoctor` and `newLast30Days` derives from one grouped result, "cells" of
(gender, validation status, age band, patients). Over everyone they come from the summary
`patients.patient_counts` (kept exact by triggers, migration `patients_0006`): whole birth
months from it, and the patients born in a month that an age band or an age filter cuts through
from the table. Narrower questions (a doctor's or an institution's patients, ids, names) read
the table: its indexes make those small.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    Text,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.patients.access import visible_to
from subgraphs.patients.ages import AGE_BANDS, latest_birth_date
from subgraphs.patients.models import DoctorCount, Patient, PatientCount
from subgraphs.patients.repository import conditions, summarised
from subgraphs.patients.search import PatientFilter, Viewer

__all__ = ["Cell", "by_column", "cells", "created_since", "per_doctor", "summarised"]

#: (gender, validation status, age band, patients)
Cell = tuple[str, str, str, int]


def _band_cuts(today: date) -> list[tuple[str, date]]:
    """(band, d): born after d means at most the band's highest age (same rule as `age_on`)."""
    return [(label, latest_birth_date(today, high + 1)) for label, _, high in AGE_BANDS if high]


def _band(born: Any, today: date) -> Any:
    whens = [(born > cut, literal(label)) for label, cut in _band_cuts(today)]
    return case(*whens, else_=literal(AGE_BANDS[-1][0]))


def _born_within(born: Any, where: PatientFilter) -> list[ColumnElement[bool]]:
    found = []
    if where.born_after is not None:
        found.append(born > where.born_after)
    if where.born_on_or_before is not None:
        found.append(born <= where.born_on_or_before)
    return found


def _month(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return (
        month.replace(year=month.year + 1, month=1)
        if month.month == 12
        else month.replace(month=month.month + 1)
    )


def _split_months(where: PatientFilter, today: date) -> list[date]:
    """Birth months some cut-off date falls in: outside them a whole month is on one side of
    every cut-off, so the month's first day decides its band and whether the filter keeps it."""
    cuts: Iterable[date | None] = [
        *(cut for _, cut in _band_cuts(today)),
        where.born_after,
        where.born_on_or_before,
    ]
    return sorted({_month(cut) for cut in cuts if cut is not None})


def _grouped(gender: Any, status: Any, band: Any, n: Any) -> Select[Any]:
    band = band.label("band")
    return select(gender, status, band, n.label("n")).group_by(gender, status, band)


async def _summary_cells(
    session: AsyncSession, where: PatientFilter, today: date
) -> Sequence[Cell]:
    split = _split_months(where, today)
    month = PatientCount.birth_month
    whole = _grouped(
        PatientCount.gender, PatientCount.validation_status, _band(month, today),
        func.sum(PatientCount.patients),
    ).where(month.not_in(split), *_born_within(month, where))  # fmt: skip
    if where.genders is not None:
        whole = whole.where(PatientCount.gender.in_(where.genders))
    if where.statuses is not None:
        whole = whole.where(PatientCount.validation_status.in_(where.statuses))
    if where.is_active is not None:
        whole = whole.where(PatientCount.is_active.is_(where.is_active))
    born = Patient.date_of_birth
    # Index ranges on ix_patients_date_of_birth: a few thousand patients at 1M.
    in_split = or_(*((born >= m) & (born < _next_month(m)) for m in split))
    edges = _grouped(
        Patient.gender, Patient.validation_status, _band(born, today), func.count()
    ).where(in_split, *conditions(where))
    parts = union_all(whole, edges).subquery()
    query = _grouped(parts.c.gender, parts.c.validation_status, parts.c.band, func.sum(parts.c.n))
    return [(r[0], r[1], r[2], int(r[3])) for r in (await session.execute(query)).all()]


async def cells(
    session: AsyncSession, viewer: Viewer, where: PatientFilter, today: date
) -> Sequence[Cell]:
    """Patients per (gender, status, age band) that `viewer` sees and `where` keeps."""
    if summarised(viewer, where):
        return await _summary_cells(session, where, today)
    query = _grouped(
        Patient.gender, Patient.validation_status, _band(Patient.date_of_birth, today),
        func.count(),
    ).where(visible_to(viewer), *conditions(where))  # fmt: skip
    return [(r[0], r[1], r[2], int(r[3])) for r in (await session.execute(query)).all()]


async def created_since(
    session: AsyncSession, viewer: Viewer, where: PatientFilter, since: datetime
) -> int:
    """How many of them were created since `since` (a range of ix_patients_created_at_id)."""
    query = select(func.count()).where(
        Patient.created_at >= since, visible_to(viewer), *conditions(where)
    )
    return int(await session.scalar(query) or 0)


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


async def per_doctor(
    session: AsyncSession, viewer: Viewer, where: PatientFilter
) -> Sequence[tuple[str, int]]:
    """(doctor id as text, "" for no doctor; patients), most patients first, then by id:
    everyone's from the summary `patients.doctor_counts` (patients without a doctor: the total
    less the doctors' sum, in the same statement), anything narrower from the table."""
    if not (summarised(viewer, where) and where == PatientFilter()):
        return [("" if d is None else str(d), n) for d, n in
                await by_column(session, viewer, where, "doctor_id")]  # fmt: skip
    total = select(func.coalesce(func.sum(PatientCount.patients), 0)).scalar_subquery()
    assigned = select(func.coalesce(func.sum(DoctorCount.patients), 0)).scalar_subquery()
    doctors = select(DoctorCount.doctor_id, DoctorCount.patients.label("n")).where(
        DoctorCount.patients != 0
    )
    nobody = select(
        literal(None, DoctorCount.doctor_id.type).label("doctor_id"),
        (total - assigned).cast(BigInteger).label("n"),
    )
    rows = union_all(doctors, nobody).subquery()
    # Sorted as uuids (16-byte compares; no doctor last, as `by_column`), handed over as text
    # and bigint: 20,000 rows decode as str and int, not UUID and Decimal.
    query = (
        select(func.coalesce(rows.c.doctor_id.cast(Text), ""), rows.c.n)
        .where(rows.c.n != 0)
        .order_by(rows.c.n.desc(), rows.c.doctor_id)
    )
    # Core, not ORM, execution, and the rows taken at once (`all`), not fetched one by one.
    result = await (await session.connection()).execute(query)
    return result.all()  # rows are tuples (SQLAlchemy 2.1 deprecates `.tuples()`)
