"""SQL for the auth statistics (admin dashboards): aggregates only, no personal data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.auth.models import Device, RoleCount, SecurityEvent, User, UserSession

__all__ = [
    "active_session_count",
    "device_counts",
    "event_buckets",
    "locked_account_count",
    "logins_by_role",
]


async def active_session_count(session: AsyncSession, now: datetime) -> int:
    query = select(func.count()).where(
        UserSession.revoked_at.is_(None), UserSession.expires_at > now
    )
    return int(await session.scalar(query) or 0)


async def locked_account_count(session: AsyncSession, now: datetime) -> int:
    return int(await session.scalar(select(func.count()).where(User.locked_until > now)) or 0)


async def logins_by_role(session: AsyncSession) -> Sequence[tuple[str, int, int]]:
    """(role, distinct profiles, logins) per role, from the summary the triggers of migration
    `auth_0005` keep exact (a million logins were 0.35-1 s to group on every cold read)."""
    query = select(RoleCount.role, RoleCount.profiles, RoleCount.logins)
    return [(r[0], int(r[1]), int(r[2])) for r in (await session.execute(query)).all()]


async def device_counts(session: AsyncSession) -> Sequence[tuple[str, int]]:
    query = select(Device.device_type, func.count()).group_by(Device.device_type)
    return [(row[0], int(row[1])) for row in (await session.execute(query)).all()]


async def event_buckets(
    session: AsyncSession, *, kinds: Sequence[str], since: datetime, until: datetime, unit: str
) -> Sequence[tuple[datetime, str, int]]:
    """(bucket start, kind, count) for events of these kinds, bucketed by `unit` (hour/day)."""
    bucket = func.date_trunc(unit, SecurityEvent.created_at, "UTC").label("bucket")
    query = (
        select(bucket, SecurityEvent.kind, func.count())
        .where(
            SecurityEvent.kind.in_(kinds),
            SecurityEvent.created_at >= since,
            SecurityEvent.created_at < until,
        )
        .group_by(bucket, SecurityEvent.kind)
        .order_by(bucket)
    )
    return [(row[0], row[1], int(row[2])) for row in (await session.execute(query)).all()]
