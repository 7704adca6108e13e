"""Strawberry types of the admins subgraph: admins, audit events, system statistics."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from subgraphs.admins import models
from subgraphs.admins import statistics as stats
from subgraphs.admins.audit_repository import AuditFilter
from subgraphs.kit.access import context_of, require_principal
from subgraphs.kit.audit import AuditEvent as Event
from subgraphs.kit.errors import Invalid
from subgraphs.kit.ids import parse_id, try_parse_id
from subgraphs.kit.keyset import Page
from subgraphs.kit.principal import Role
from subgraphs.kit.relay import PageInfo

__all__ = [
    "Admin",
    "AdminConnection",
    "AuditEvent",
    "AuditEventConnection",
    "AuditEventFilter",
    "AuditEventInput",
    "Institution",
    "StatCount",
    "SystemStatistics",
    "parse_id",
]


def _opt_id(value: strawberry.ID | None, field: str) -> uuid.UUID | None:
    return None if value is None else parse_id(value, field)


@strawberry.federation.type(keys=["id"], description="An institution (owned by institutions).")
class Institution:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Institution:
        return cls(id=id)


@strawberry.federation.type(keys=["id"], description="A system administrator.")
class Admin:
    id: strawberry.ID
    first_name: str
    last_name: str
    email: str
    department: str | None
    is_active: bool
    user_id: strawberry.ID | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, row: models.Admin) -> Admin:
        return cls(
            id=strawberry.ID(str(row.id)), first_name=row.first_name, last_name=row.last_name,
            email=row.email, department=row.department, is_active=row.is_active,
            user_id=None if row.user_id is None else strawberry.ID(str(row.user_id)),
            created_at=row.created_at, updated_at=row.updated_at,
        )  # fmt: skip

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> Admin | None:
        principal = require_principal(info)
        key = try_parse_id(id)
        if key is None:
            return None
        if not principal.has_role(Role.ADMIN, Role.SERVICE):
            return None  # "not found": not even a hint that the admin exists
        row = await context_of(info).loaders.admin.load(key)
        return None if row is None else cls.from_model(row)


@strawberry.type
class AdminEdge:
    node: Admin
    cursor: str


@strawberry.type
class AdminConnection:
    edges: list[AdminEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[models.Admin]) -> AdminConnection:
        return cls(
            edges=[AdminEdge(node=Admin.from_model(r), cursor=c)
                   for r, c in zip(page.rows, page.cursors, strict=True)],
            page_info=PageInfo.of(page),
        )  # fmt: skip


@strawberry.federation.type(keys=["id"], description="One recorded access or change (append-only).")
class AuditEvent:
    id: strawberry.ID
    seq: int
    occurred_at: datetime
    service: str
    action: str
    outcome: str
    actor_user_id: strawberry.ID | None
    actor_role: str | None
    session_id: strawberry.ID | None
    request_id: str | None
    ip: str | None
    target_type: str | None
    target_ids: list[str]
    fields: list[str]
    details: JSON
    prev_hash: str
    hash: str

    @classmethod
    def from_model(cls, row: models.AuditEvent) -> AuditEvent:
        def sid(value: uuid.UUID | None) -> strawberry.ID | None:
            return None if value is None else strawberry.ID(str(value))

        return cls(
            id=strawberry.ID(str(row.id)), seq=row.seq, occurred_at=row.occurred_at,
            service=row.service, action=row.action, outcome=row.outcome,
            actor_user_id=sid(row.actor_user_id), actor_role=row.actor_role,
            session_id=sid(row.session_id), request_id=row.request_id, ip=row.ip,
            target_type=row.target_type, target_ids=list(row.target_ids),
            fields=list(row.fields), details=cast(JSON, row.details), prev_hash=row.prev_hash,
            hash=row.hash,
        )  # fmt: skip

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> AuditEvent | None:
        from subgraphs.admins import audit_store

        principal = require_principal(info)
        async with context_of(info).read() as session:
            row = await audit_store.get_event(session, principal, parse_id(id))
        return cls.from_model(row)


@strawberry.type
class AuditEventEdge:
    node: AuditEvent
    cursor: str


@strawberry.type
class AuditEventConnection:
    edges: list[AuditEventEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[models.AuditEvent]) -> AuditEventConnection:
        return cls(
            edges=[AuditEventEdge(node=AuditEvent.from_model(r), cursor=c)
                   for r, c in zip(page.rows, page.cursors, strict=True)],
            page_info=PageInfo.of(page),
        )  # fmt: skip


@strawberry.input(description="Narrow the audit log; every field given must match.")
class AuditEventFilter:
    actor_user_id: strawberry.ID | None = None
    actor_role: str | None = None
    action: str | None = strawberry.field(
        default=None, description='An action, or a family such as "patient.*".'
    )
    service: str | None = None
    outcome: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def build(self) -> AuditFilter:
        return AuditFilter(
            actor_user_id=_opt_id(self.actor_user_id, "actorUserId"), actor_role=self.actor_role,
            action=self.action, service=self.service, outcome=self.outcome,
            target_type=self.target_type, target_id=self.target_id, since=self.since,
            until=self.until,
        )  # fmt: skip


def _details(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid("details", "must be a JSON object")
    return dict(value)


@strawberry.input(description="An event as a subgraph's outbox relay delivers it.")
class AuditEventInput:
    id: strawberry.ID
    occurred_at: datetime
    service: str
    action: str
    outcome: str
    actor_user_id: strawberry.ID | None = None
    actor_role: str | None = None
    session_id: strawberry.ID | None = None
    request_id: str | None = None
    ip: str | None = None
    target_type: str | None = None
    target_ids: list[str] = strawberry.field(default_factory=list)
    fields: list[str] = strawberry.field(default_factory=list)
    details: JSON | None = None

    def build(self) -> Event:
        return Event(
            id=parse_id(self.id), occurred_at=self.occurred_at, service=self.service,
            action=self.action, outcome=self.outcome,
            actor_user_id=_opt_id(self.actor_user_id, "actorUserId"), actor_role=self.actor_role,
            session_id=_opt_id(self.session_id, "sessionId"), request_id=self.request_id,
            ip=self.ip, target_type=self.target_type, target_ids=tuple(self.target_ids),
            fields=tuple(self.fields), details=_details(self.details),
        )  # fmt: skip


@strawberry.type(description="How many events a delivery appended, and how many it already had.")
class AppendResult:
    appended: int
    duplicates: int


@strawberry.type(description="One figure; count is null when suppressed or unavailable.")
class StatCount:
    key: str
    count: int | None
    suppressed: bool

    @classmethod
    def many(cls, counts: list[stats.Count]) -> list[StatCount]:
        return [cls(key=c.key, count=c.count, suppressed=c.suppressed) for c in counts]


@strawberry.type(description="System-wide figures gathered from every subgraph.")
class SystemStatistics:
    generated_at: datetime
    users_by_role: list[StatCount]
    institutions: list[StatCount]
    institutions_by_type: list[StatCount]
    doctors: list[StatCount]
    doctors_by_status: list[StatCount]
    patients: list[StatCount]
    patients_by_gender: list[StatCount]
    patients_by_validation_status: list[StatCount]
    patients_by_age_band: list[StatCount]
    sessions: list[StatCount]
    unavailable: list[str] = strawberry.field(description="Subgraphs that did not answer.")

    @classmethod
    def of(cls, s: stats.SystemStatistics) -> SystemStatistics:
        m = StatCount.many
        return cls(
            generated_at=s.generated_at, users_by_role=m(s.users_by_role),
            institutions=m(s.institutions), institutions_by_type=m(s.institutions_by_type),
            doctors=m(s.doctors), doctors_by_status=m(s.doctors_by_status),
            patients=m(s.patients), patients_by_gender=m(s.patients_by_gender),
            patients_by_validation_status=m(s.patients_by_validation_status),
            patients_by_age_band=m(s.patients_by_age_band), sessions=m(s.sessions),
            unavailable=s.unavailable,
        )  # fmt: skip
