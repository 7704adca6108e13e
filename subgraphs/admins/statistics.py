"""System statistics for admins and analysts, gathered through the other subgraphs' APIs.

Never from their tables: each figure comes from the owning subgraph's statistics query, called
with the service credential. Analysts get aggregates only, and any group smaller than
`SUPPRESS_BELOW` is reported as suppressed so no one can be singled out.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.errors import DomainError, Forbidden
from subgraphs.kit.principal import Principal, Role
from subgraphs.kit.service_client import ServiceClient

__all__ = ["SUPPRESS_BELOW", "Count", "SystemStatistics", "suppress", "system_statistics"]

_log = logging.getLogger("predicthealth.admins.stats")

#: Groups smaller than this are withheld from analysts (k-anonymity style threshold).
SUPPRESS_BELOW = 5

_QUERIES: dict[str, tuple[str, str]] = {
    "auth": ("authStatistics", "{ authStatistics { activeSessions lockedAccounts logins failedLogins } "
             "userCounts { byRole { role count } } }"),
    "institutions": ("institutionStatistics",
                     "{ institutionStatistics { total active verified byType { institutionType count } } }"),
    "doctors": ("doctorStatistics", "{ doctorStatistics { total active byStatus { status count } } }"),
    "patients": ("patientStatistics", "{ patientStatistics { total newLast30Days "
                 "byGender { key count } byValidationStatus { key count } byAgeBand { key count } } }"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Count:
    """One figure; `count` is None when it was suppressed (or unavailable)."""

    key: str
    count: int | None
    suppressed: bool = False


def suppress(key: str, n: int | None, *, analyst: bool) -> Count:
    if n is None:
        return Count(key, None)
    if analyst and 0 < n < SUPPRESS_BELOW:
        return Count(key, None, suppressed=True)
    return Count(key, n)


@dataclass(frozen=True, slots=True)
class SystemStatistics:
    generated_at: datetime
    users_by_role: list[Count]
    institutions: list[Count]
    institutions_by_type: list[Count]
    doctors: list[Count]
    doctors_by_status: list[Count]
    patients: list[Count]
    patients_by_gender: list[Count]
    patients_by_validation_status: list[Count]
    patients_by_age_band: list[Count]
    sessions: list[Count]
    unavailable: list[str] = field(default_factory=list)


async def _fetch(client: ServiceClient, service: str) -> dict[str, Any] | None:
    """The service's statistics object, with its other top-level fields (auth's `userCounts`)
    alongside under their own names."""
    root, query = _QUERIES[service]
    try:
        data = await client.execute(service, query)
    except DomainError as exc:
        _log.warning("statistics of %s unavailable: %s", service, exc.message)
        return None
    found = data.get(root)
    if not isinstance(found, dict):
        return None
    return {**found, **{k: v for k, v in data.items() if k != root}}


def _pairs(rows: list[dict[str, Any]] | None, key: str) -> list[tuple[str, int]]:
    return [(str(r[key]).lower(), int(r["count"])) for r in rows or []]


async def system_statistics(
    session: AsyncSession, client: ServiceClient, principal: Principal
) -> SystemStatistics:
    if not principal.has_role(Role.ADMIN, Role.ANALYST, Role.SERVICE):
        raise Forbidden("System statistics are for administrators and analysts")
    analyst = principal.has_role(Role.ANALYST)
    services = list(_QUERIES)
    fetched = await asyncio.gather(*(_fetch(client, s) for s in services))
    got: dict[str, dict[str, Any] | None] = dict(zip(services, fetched, strict=True))

    def fig(key: str, value: Any) -> Count:
        return suppress(key, None if value is None else int(value), analyst=analyst)

    def figs(pairs: list[tuple[str, int]]) -> list[Count]:
        return [suppress(k, n, analyst=analyst) for k, n in pairs]

    auth = got["auth"] or {}
    inst = got["institutions"] or {}
    docs = got["doctors"] or {}
    pats = got["patients"] or {}
    sessions = [fig("active", auth.get("activeSessions")), fig("logins", auth.get("logins")),
                fig("failed_logins", auth.get("failedLogins"))]  # fmt: skip
    if not analyst:
        # Lockouts are a security signal, not analytics.
        sessions.append(fig("locked_accounts", auth.get("lockedAccounts")))
    return SystemStatistics(
        generated_at=datetime.now(UTC),
        # Auth's `userCounts`: every role, and a profile is one user however many logins it has.
        users_by_role=figs(_pairs((auth.get("userCounts") or {}).get("byRole"), "role")),
        institutions=[fig("total", inst.get("total")), fig("active", inst.get("active")),
                      fig("verified", inst.get("verified"))],
        institutions_by_type=figs(_pairs(inst.get("byType"), "institutionType")),
        doctors=[fig("total", docs.get("total")), fig("active", docs.get("active"))],
        doctors_by_status=figs(_pairs(docs.get("byStatus"), "status")),
        patients=[fig("total", pats.get("total")), fig("new_last_30_days", pats.get("newLast30Days"))],
        patients_by_gender=figs(_pairs(pats.get("byGender"), "key")),
        patients_by_validation_status=figs(_pairs(pats.get("byValidationStatus"), "key")),
        patients_by_age_band=figs(_pairs(pats.get("byAgeBand"), "key")),
        sessions=sessions,
        unavailable=[s for s in services if got[s] is None],
    )  # fmt: skip
