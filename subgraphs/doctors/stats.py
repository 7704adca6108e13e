"""Doctor statistics: who may read them and how the figures fit together."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.doctors import stats_repository
from subgraphs.doctors.search import DoctorFilter
from subgraphs.kit.errors import Forbidden
from subgraphs.kit.principal import Principal, Role
from subgraphs.kit.stats_cache import StatsCache

__all__ = ["DoctorStatistics", "doctor_statistics"]

SpecialtyKey = tuple[uuid.UUID | None, str | None]


@dataclass(frozen=True, slots=True)
class DoctorStatistics:
    total: int
    active: int
    by_specialty: list[tuple[SpecialtyKey, int]]
    by_institution: list[tuple[uuid.UUID | None, int]]
    by_specialty_and_institution: list[tuple[SpecialtyKey, uuid.UUID | None, int]]
    by_status: list[tuple[str, int]]
    by_license_status: list[tuple[str, int]]


def _ranked(counter: Counter[object]) -> list[tuple[object, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], str(item[0])))


async def doctor_statistics(
    session: AsyncSession,
    principal: Principal,
    where: DoctorFilter,
    cache: StatsCache | None = None,
    *,
    pairs: bool = True,
) -> DoctorStatistics:
    """Aggregates need the `read:stats` scope (admins, institutions, analysts) or a service.
    With a `cache`, as fresh as its generation and TTL say (`subgraphs/kit/stats_cache.py`).
    `pairs=False` leaves the specialty x institution table empty when nobody asked for it."""
    if "read:stats" not in principal.scopes and not principal.has_role(Role.SERVICE):
        raise Forbidden("Statistics need the read:stats scope")

    async def compute() -> DoctorStatistics:
        return await (_compute(session, where) if pairs else _compute_figures(session, where))

    if cache is None:
        return await compute()
    return await cache.get(
        session, ("doctor_statistics", where, pairs), compute, dump=_dump, load=_load
    )


async def _compute_figures(session: AsyncSession, where: DoctorFilter) -> DoctorStatistics:
    """Everything but the specialty x institution table: one GROUPING SETS statement."""
    total = active = 0
    specialties: Counter[object] = Counter()
    institutions: Counter[object] = Counter()
    statuses: list[tuple[str, int]] = []
    licenses: list[tuple[str, int]] = []
    for figure, key, name, n, active_n in await stats_repository.groups(session, where):
        if figure == "all":
            total, active = n, active_n
        elif figure == "specialty":
            specialties[(key, name)] += n
        elif figure == "institution":
            institutions[key] += n
        elif figure == "status":
            statuses.append((str(key), n))
        else:
            licenses.append((str(key), n))
    return DoctorStatistics(
        total=total,
        active=active,
        by_specialty=_ranked(specialties),  # type: ignore[arg-type]
        by_institution=_ranked(institutions),  # type: ignore[arg-type]
        by_specialty_and_institution=[],
        by_status=sorted(statuses),
        by_license_status=sorted(licenses),
    )


async def _compute(session: AsyncSession, where: DoctorFilter) -> DoctorStatistics:
    total, active = await stats_repository.totals(session, where)
    table = await stats_repository.by_specialty_and_institution(session, where)
    specialties: Counter[object] = Counter()
    institutions: Counter[object] = Counter()
    for specialty_id, name, institution_id, n in table:
        specialties[(specialty_id, name)] += n
        institutions[institution_id] += n
    return DoctorStatistics(
        total=total,
        active=active,
        by_specialty=_ranked(specialties),  # type: ignore[arg-type]
        by_institution=_ranked(institutions),  # type: ignore[arg-type]
        by_specialty_and_institution=sorted(
            (((s, name), i, n) for s, name, i, n in table),
            key=lambda item: (item[0][1] or "", str(item[1])),
        ),
        by_status=list(await stats_repository.by_status(session, where)),
        by_license_status=list(await stats_repository.by_license_status(session, where)),
    )


def _dump(s: DoctorStatistics) -> dict[str, Any]:
    # orjson writes UUIDs as strings and tuples as lists; `_load` restores both.
    return {
        "total": s.total, "active": s.active, "by_specialty": s.by_specialty,
        "by_institution": s.by_institution,
        "by_specialty_and_institution": s.by_specialty_and_institution,
        "by_status": s.by_status, "by_license_status": s.by_license_status,
    }  # fmt: skip


def _load(raw: dict[str, Any]) -> DoctorStatistics:
    # ~18,000 groups name only ~2,000 institutions and 30 specialties: parse each id once.
    parsed: dict[str, uuid.UUID] = {}

    def _id(text: str | None) -> uuid.UUID | None:
        if text is None:
            return None
        found = parsed.get(text)
        if found is None:
            found = parsed[text] = uuid.UUID(text)
        return found

    return DoctorStatistics(
        total=raw["total"],
        active=raw["active"],
        by_specialty=[((_id(s), name), n) for (s, name), n in raw["by_specialty"]],
        by_institution=[(_id(i), n) for i, n in raw["by_institution"]],
        by_specialty_and_institution=[
            ((_id(s), name), _id(i), n) for (s, name), i, n in raw["by_specialty_and_institution"]
        ],
        by_status=[(k, n) for k, n in raw["by_status"]],
        by_license_status=[(k, n) for k, n in raw["by_license_status"]],
    )
