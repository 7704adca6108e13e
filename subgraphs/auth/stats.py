"""Sign-in statistics for administrators: sessions, logins over time, locks, devices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from subgraphs.auth import stats_repository
from subgraphs.kit.context import RequestContext
from subgraphs.kit.errors import Forbidden, Invalid, Unauthenticated
from subgraphs.kit.principal import Role
from subgraphs.kit.stats_cache import StatsCache

__all__ = ["PROFILE_ROLES", "AuthStatistics", "LoginBucket", "auth_statistics", "user_counts"]

_MAX_BUCKETS = 400
_LOGIN_KINDS = ("login", "login_failed", "new_device", "account_locked")

#: Roles whose users are profiles in another subgraph: one user per profile, however many logins.
PROFILE_ROLES = frozenset({Role.ADMIN, Role.INSTITUTION, Role.DOCTOR, Role.PATIENT})


@dataclass(frozen=True, slots=True)
class LoginBucket:
    start: datetime
    logins: int = 0
    failed_logins: int = 0
    new_devices: int = 0
    lockouts: int = 0


@dataclass(frozen=True, slots=True)
class AuthStatistics:
    active_sessions: int
    locked_accounts: int
    devices_by_type: dict[str, int]
    since: datetime
    until: datetime
    buckets: list[LoginBucket] = field(default_factory=list)

    @property
    def devices(self) -> int:
        return sum(self.devices_by_type.values())

    @property
    def logins(self) -> int:
        return sum(b.logins for b in self.buckets)

    @property
    def failed_logins(self) -> int:
        return sum(b.failed_logins for b in self.buckets)


def _require_admin(ctx: RequestContext, what: str) -> None:
    principal = ctx.principal
    if not principal.is_authenticated:
        raise Unauthenticated(ctx.extras.get("auth_error", "Authentication required"))
    if not principal.has_role(Role.ADMIN, Role.SERVICE):
        raise Forbidden(f"{what} are for administrators")


async def user_counts(ctx: RequestContext) -> dict[Role, int]:
    """Users per role (every role with logins, zeros included): administrators and services.

    A profile role counts profiles (a profile with several logins is one user; a login attached
    to no profile is nobody's); an analyst is their login. Cached until auth.users changes
    (or 60 s: `subgraphs/kit/stats_cache.py`)."""
    _require_admin(ctx, "User counts")
    cache = StatsCache(ctx.redis, ctx.settings, "auth")
    async with ctx.read() as session:
        rows = await cache.get(
            session, ("logins_by_role",), lambda: stats_repository.logins_by_role(session),
            dump=list, load=lambda raw: [tuple(r) for r in raw],
        )  # fmt: skip
    counts = dict.fromkeys((r for r in Role if r is not Role.SERVICE), 0)
    for role, profiles, logins in rows:
        known = Role(role)
        counts[known] = profiles if known in PROFILE_ROLES else logins
    return counts


def _buckets(since: datetime, until: datetime, unit: str) -> list[datetime]:
    step = timedelta(hours=1) if unit == "hour" else timedelta(days=1)
    start = since.replace(minute=0, second=0, microsecond=0)
    if unit == "day":
        start = start.replace(hour=0)
    out = []
    while start < until:
        out.append(start)
        start += step
    return out


async def auth_statistics(
    ctx: RequestContext, *, since: datetime | None, until: datetime | None, unit: str
) -> AuthStatistics:
    """Administrators only: lockouts and failures are security signals, not analytics."""
    _require_admin(ctx, "Sign-in statistics")
    now = datetime.now(UTC)
    until = (until or now).astimezone(UTC)
    since = (since or until - timedelta(days=7)).astimezone(UTC)
    if since >= until:
        raise Invalid("since", "must be before until")
    starts = _buckets(since, until, unit)
    if len(starts) > _MAX_BUCKETS:
        raise Invalid("since", f"at most {_MAX_BUCKETS} {unit}s per query")
    async with ctx.read() as session:
        active = await stats_repository.active_session_count(session, now)
        locked = await stats_repository.locked_account_count(session, now)
        devices = dict(await stats_repository.device_counts(session))
        rows = await stats_repository.event_buckets(
            session, kinds=_LOGIN_KINDS, since=starts[0], until=until, unit=unit
        )
    counts: dict[datetime, dict[str, int]] = {s: {} for s in starts}
    for start, kind, count in rows:
        counts.setdefault(start.astimezone(UTC), {})[kind] = count
    buckets = [
        LoginBucket(
            start=s, logins=c.get("login", 0), failed_logins=c.get("login_failed", 0),
            new_devices=c.get("new_device", 0), lockouts=c.get("account_locked", 0),
        )
        for s, c in sorted(counts.items())
    ]  # fmt: skip
    return AuthStatistics(active, locked, devices, since, until, buckets)
