"""Strawberry types of the auth subgraph (the `User` entity, sessions, devices, tokens, stats)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from subgraphs.auth import models, repository, session_control, sessions, stats
from subgraphs.kit.access import context_of
from subgraphs.kit.errors import Invalid
from subgraphs.kit.ids import parse_id, try_parse_id
from subgraphs.kit.principal import Principal, Role

__all__ = [
    "AuthPayload",
    "AuthStatistics",
    "Device",
    "SecurityEvent",
    "Session",
    "StatsInterval",
    "TokenInfo",
    "User",
    "UserCounts",
    "UserRole",
    "UserRoleCount",
    "parse_id",
]

_MAX_EVENTS = 100

UserRole = strawberry.enum(Role, name="UserRole", description="What a login may do.")


def _may_see(principal: Principal, user_id: uuid.UUID) -> bool:
    """A user sees their own login, sessions and devices; admins and services see anyone's."""
    return principal.user_id == user_id or principal.has_role(Role.ADMIN, Role.SERVICE)


def _id(value: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(str(value))


@strawberry.type(name="LoginDevice", description="A browser or app a user signed in from.")
class Device:
    id: strawberry.ID
    browser: str
    os: str
    device_type: str = strawberry.field(description="desktop, mobile, tablet, bot or other.")
    user_agent: str | None
    last_ip: str | None
    first_seen_at: datetime
    last_seen_at: datetime

    @classmethod
    def from_model(cls, row: models.Device) -> Device:
        return cls(
            id=_id(row.id), browser=row.browser, os=row.os, device_type=row.device_type,
            user_agent=row.user_agent, last_ip=row.last_ip, first_seen_at=row.first_seen_at,
            last_seen_at=row.last_seen_at,
        )  # fmt: skip


@strawberry.type(
    name="LoginSession", description="A live sign-in: revoke it to sign that browser or app out."
)
class Session:
    id: strawberry.ID
    ip: str | None
    user_agent: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    current: bool = strawberry.field(description="True for the session making this request.")
    device_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field
    async def device(self, info: Info[Any, Any]) -> Device | None:
        if self.device_id is None:
            return None
        row = await context_of(info).loaders.device.load(self.device_id)
        return None if row is None else Device.from_model(row)

    @classmethod
    def from_model(cls, row: models.UserSession, principal: Principal) -> Session:
        return cls(
            id=_id(row.id), ip=row.ip, user_agent=row.user_agent, created_at=row.created_at,
            last_seen_at=row.last_seen_at, expires_at=row.expires_at,
            current=row.id == principal.session_id, device_id=row.device_id,
        )  # fmt: skip


@strawberry.type(description="Something that happened to an account: a login, a new device, …")
class SecurityEvent:
    id: strawberry.ID
    kind: str
    ip: str | None
    user_agent: str | None
    detail: JSON
    created_at: datetime

    @classmethod
    def from_model(cls, row: models.SecurityEvent) -> SecurityEvent:
        return cls(
            id=_id(row.id), kind=row.kind, ip=row.ip, user_agent=row.user_agent,
            detail=row.detail, created_at=row.created_at,
        )  # fmt: skip


@strawberry.federation.type(keys=["id"], description="A login.")
class User:
    id: strawberry.ID
    email: str
    role: UserRole  # type: ignore[valid-type]
    profile_id: strawberry.ID | None
    is_active: bool
    last_login_at: datetime | None
    locked_until: datetime | None

    @strawberry.field(description="Live sessions, most recently used first (own or admin).")
    async def sessions(self, info: Info[Any, Any]) -> list[Session]:
        principal = context_of(info).principal
        if not _may_see(principal, uuid.UUID(self.id)):
            return []
        rows = await context_of(info).loaders.sessions_of_user.load(uuid.UUID(self.id))
        return [Session.from_model(row, principal) for row in rows]

    @strawberry.field(description="Devices this login has used, most recent first (own or admin).")
    async def devices(self, info: Info[Any, Any]) -> list[Device]:
        if not _may_see(context_of(info).principal, uuid.UUID(self.id)):
            return []
        rows = await context_of(info).loaders.devices_of_user.load(uuid.UUID(self.id))
        return [Device.from_model(row) for row in rows]

    @strawberry.field(description="Recent security events, newest first (own or admin).")
    async def security_events(self, info: Info[Any, Any], first: int = 20) -> list[SecurityEvent]:
        ctx = context_of(info)
        if not _may_see(ctx.principal, uuid.UUID(self.id)):
            return []
        if not 0 < first <= _MAX_EVENTS:
            raise Invalid("first", f"must be between 1 and {_MAX_EVENTS}")
        async with ctx.read() as session:
            rows = await repository.events_of_user(session, uuid.UUID(self.id), limit=first)
        return [SecurityEvent.from_model(row) for row in rows]

    @classmethod
    def from_model(cls, row: models.User) -> User:
        return cls(
            id=_id(row.id), email=row.email, role=Role(row.role),
            profile_id=_id(row.profile_id) if row.profile_id else None,
            is_active=row.is_active, last_login_at=row.last_login_at,
            locked_until=row.locked_until,
        )  # fmt: skip

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> User | None:
        key = try_parse_id(id)
        if key is None:
            return None
        if not _may_see(context_of(info).principal, key):
            return None
        row = await context_of(info).loaders.user.load(key)
        return None if row is None else cls.from_model(row)


@strawberry.type(
    description="A signed-in session: a short-lived access token and its refresh token."
)
class AuthPayload:
    access_token: str
    refresh_token: str = strawberry.field(description="Opaque and single-use: refresh rotates it.")
    expires_in: int = strawberry.field(description="Seconds until the access token expires.")
    token_type: str
    session_id: strawberry.ID
    user: User

    @classmethod
    def from_result(cls, result: sessions.SignedIn) -> AuthPayload:
        return cls(
            access_token=result.access_token,
            refresh_token=result.refresh_token,
            expires_in=result.expires_in,
            token_type="Bearer",  # noqa: S106 - the OAuth token type, not a secret
            session_id=_id(result.session_id),
            user=User.from_model(result.user),
        )


@strawberry.type(description="What an access token is worth now (for integrators).")
class TokenInfo:
    valid: bool
    reason: str | None
    user_id: strawberry.ID | None
    role: UserRole | None  # type: ignore[valid-type]
    profile_id: strawberry.ID | None
    session_id: strawberry.ID | None
    scopes: list[str]
    expires_at: datetime | None

    @classmethod
    def from_check(cls, check: session_control.TokenCheck) -> TokenInfo:
        p = check.principal
        return cls(
            valid=check.valid, reason=check.reason,
            user_id=_id(p.user_id) if p and p.user_id else None,
            role=p.role if p else None,
            profile_id=_id(p.profile_id) if p and p.profile_id else None,
            session_id=_id(p.session_id) if p and p.session_id else None,
            scopes=sorted(p.scopes) if p else [], expires_at=check.expires_at,
        )  # fmt: skip


@strawberry.enum(name="AuthStatsInterval", description="Bucket size of time series.")
class StatsInterval(Enum):
    HOUR = "hour"
    DAY = "day"


@strawberry.type(name="LoginActivity", description="Sign-in activity in one time bucket.")
class LoginBucket:
    start: datetime
    logins: int
    failed_logins: int
    new_devices: int
    lockouts: int


@strawberry.type(name="LoginDeviceCount")
class DeviceTypeCount:
    device_type: str
    count: int


@strawberry.type(description="Users with one role.")
class UserRoleCount:
    role: UserRole  # type: ignore[valid-type]
    count: int


@strawberry.type(description="Users by role (administrators, services): a profile is one user "
                 "however many logins it has; analysts are counted by login.")  # fmt: skip
class UserCounts:
    total: int
    by_role: list[UserRoleCount]

    @classmethod
    def from_counts(cls, counts: dict[Role, int]) -> UserCounts:
        rows = [UserRoleCount(role=role, count=n) for role, n in counts.items()]
        return cls(total=sum(counts.values()), by_role=rows)


@strawberry.type(description="Sign-in activity (administrators).")
class AuthStatistics:
    active_sessions: int
    locked_accounts: int
    devices: int
    devices_by_type: list[DeviceTypeCount]
    since: datetime
    until: datetime
    logins: int
    failed_logins: int
    over_time: list[LoginBucket]

    @classmethod
    def from_stats(cls, s: stats.AuthStatistics) -> AuthStatistics:
        return cls(
            active_sessions=s.active_sessions, locked_accounts=s.locked_accounts,
            devices=s.devices,
            devices_by_type=[DeviceTypeCount(device_type=k, count=v)
                             for k, v in sorted(s.devices_by_type.items())],
            since=s.since, until=s.until, logins=s.logins, failed_logins=s.failed_logins,
            over_time=[LoginBucket(start=b.start, logins=b.logins, failed_logins=b.failed_logins,
                                   new_devices=b.new_devices, lockouts=b.lockouts)
                       for b in s.buckets],
        )  # fmt: skip
