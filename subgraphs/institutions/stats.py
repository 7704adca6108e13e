"""Institution statistics: who may read them and how the figures fit together."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.institutions import stats_repository
from subgraphs.institutions.search import InstitutionFilter
from subgraphs.kit.errors import Forbidden
from subgraphs.kit.principal import Principal, Role

__all__ = ["InstitutionStatistics", "institution_statistics", "require_stats_reader"]


def require_stats_reader(principal: Principal) -> None:
    """Aggregates need the `read:stats` scope (admins, institutions, analysts) or a service."""
    if "read:stats" not in principal.scopes and not principal.has_role(Role.SERVICE):
        raise Forbidden("Statistics need the read:stats scope")


@dataclass(frozen=True, slots=True)
class InstitutionStatistics:
    total: int
    verified: int
    active: int
    by_type: list[tuple[str, int]]
    by_region: list[tuple[str | None, int]]
    by_type_and_region: list[tuple[str, str | None, int]]
    new_per_month: list[tuple[date, int]]

    @property
    def unverified(self) -> int:
        return self.total - self.verified


async def institution_statistics(
    session: AsyncSession, principal: Principal, where: InstitutionFilter, *, timezone: str
) -> InstitutionStatistics:
    require_stats_reader(principal)
    total, verified, active = await stats_repository.totals(session, where)
    by_type = list(await stats_repository.by_type(session, where))
    table = list(await stats_repository.by_type_and_region(session, where))
    regions: Counter[str | None] = Counter()
    for _, region, n in table:
        regions[region] += n
    by_region = sorted(regions.items(), key=lambda item: (-item[1], item[0] or ""))
    months = list(await stats_repository.new_per_month(session, where, timezone=timezone))
    return InstitutionStatistics(
        total=total,
        verified=verified,
        active=active,
        by_type=by_type,
        by_region=by_region,
        by_type_and_region=table,
        new_per_month=months,
    )
