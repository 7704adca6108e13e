"""Patient statistics: who may read which figures, and small-group suppression for analysts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import starmap
from typing import Any, NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.errors import Forbidden
from subgraphs.kit.principal import Principal, Role
from subgraphs.kit.stats_cache import StatsCache
from subgraphs.patients import stats_repository
from subgraphs.patients.access import viewer_of
from subgraphs.patients.ages import AGE_BANDS
from subgraphs.patients.models import Gender, ValidationStatus
from subgraphs.patients.search import PatientFilter, Viewer

__all__ = ["SUPPRESS_BELOW", "Figure", "PatientStatistics", "patient_statistics"]

#: Groups smaller than this are withheld from analysts, so no one can be singled out.
SUPPRESS_BELOW = 5
NEW_WINDOW = timedelta(days=30)


class Figure(NamedTuple):
    """One group; `count` is None when suppressed.

    A tuple of atoms, not a dataclass: 20,000 per-doctor figures held in the statistics cache
    are then untracked by the cyclic garbage collector (a full collection walked them all,
    100-160 ms of pause), and one costs a third of a frozen dataclass to make."""

    key: str
    count: int | None
    suppressed: bool = False


@dataclass(frozen=True, slots=True)
class PatientStatistics:
    total: Figure
    new_last_30_days: Figure
    by_gender: list[Figure]
    by_validation_status: list[Figure]
    by_age_band: list[Figure]
    #: Per doctor id; None for analysts (ids identify people).
    by_doctor: list[Figure] | None


def _figure(key: str, n: int, *, analyst: bool) -> Figure:
    if analyst and 0 < n < SUPPRESS_BELOW:
        return Figure(key, None, suppressed=True)
    return Figure(key, n)


@dataclass(frozen=True, slots=True)
class _Counts:
    """The raw figures, before suppression: what the statistics cache holds."""

    total: int
    new: int
    genders: dict[str, int]
    statuses: dict[str, int]
    bands: dict[str, int]
    #: Never suppressed (analysts get none), so built once per value and shared by every
    #: request the in-process cache serves: 20,000 groups at scale.
    doctors: list[Figure] | None

    def dump(self) -> dict[str, Any]:
        doctors = None if self.doctors is None else [(f.key, f.count) for f in self.doctors]
        return {"total": self.total, "new": self.new, "genders": self.genders,
                "statuses": self.statuses, "bands": self.bands, "doctors": doctors}  # fmt: skip

    @classmethod
    def load(cls, raw: dict[str, Any]) -> _Counts:
        doctors = raw["doctors"]
        return cls(**{**raw, "doctors": None if doctors is None else _doctors(doctors)})


def _doctors(rows: Iterable[Sequence[Any]]) -> list[Figure]:
    """(doctor id as text, "" for no doctor; patients) rows as figures."""
    return list(starmap(Figure, rows))


async def _count(
    session: AsyncSession, viewer: Viewer, where: PatientFilter, today: date, *, doctors: bool
) -> _Counts:
    since = datetime.now(UTC) - NEW_WINDOW
    genders: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    bands: Counter[str] = Counter()
    for gender, status, band, n in await stats_repository.cells(session, viewer, where, today):
        genders[gender] += n
        statuses[status] += n
        bands[band] += n
    new = await stats_repository.created_since(session, viewer, where, since)
    per_doctor = None
    if doctors:
        rows = await stats_repository.per_doctor(session, viewer, where)
        per_doctor = _doctors(rows)
    total = sum(genders.values())
    return _Counts(total, new, dict(genders), dict(statuses), dict(bands), per_doctor)


async def patient_statistics(
    session: AsyncSession,
    principal: Principal,
    where: PatientFilter,
    today: date,
    cache: StatsCache | None = None,
    *,
    per_doctor: bool = True,
) -> PatientStatistics:
    """Admins and services: everyone; institutions and doctors: their own patients; analysts:
    everyone, aggregates only (no per-doctor figures, small groups suppressed). With a `cache`,
    figures are as fresh as its generation and TTL say (`subgraphs/kit/stats_cache.py`).
    `per_doctor=False` leaves out the per-doctor figures (None) when nobody asked for them."""
    if not principal.has_role(
        Role.ADMIN, Role.SERVICE, Role.INSTITUTION, Role.DOCTOR, Role.ANALYST
    ):
        raise Forbidden("Patient statistics are not available to your role")
    analyst = principal.has_role(Role.ANALYST)
    # Analysts see aggregates over everyone: visibility of rows is an admin's.
    viewer = viewer_of(Principal(role=Role.ADMIN)) if analyst else viewer_of(principal)
    if analyst and (where.ids is not None or where.doctor_ids is not None or where.name):
        raise Forbidden("Analysts may not narrow statistics to people, doctors or names")

    doctors = per_doctor and not analyst

    async def compute() -> _Counts:
        return await _count(session, viewer, where, today, doctors=doctors)

    if cache is None:
        counts = await compute()
    else:
        # Keyed by visibility and filter, not by caller: same rows seen, same figures.
        question = ("patient_statistics", viewer, where, today, doctors)
        counts = await cache.get(session, question, compute, dump=_Counts.dump, load=_Counts.load)
    return PatientStatistics(
        total=_figure("total", counts.total, analyst=analyst),
        new_last_30_days=_figure("new_last_30_days", counts.new, analyst=analyst),
        by_gender=[
            _figure(g.value, counts.genders.get(g.value, 0), analyst=analyst) for g in Gender
        ],
        by_validation_status=[
            _figure(s.value, counts.statuses.get(s.value, 0), analyst=analyst)
            for s in ValidationStatus
        ],
        by_age_band=[_figure(b, counts.bands.get(b, 0), analyst=analyst) for b, _, _ in AGE_BANDS],
        by_doctor=counts.doctors,
    )
