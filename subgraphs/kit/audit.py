"""Audit events and the per-subgraph outbox table they wait in until the admins store has them.

Every mutation and every read of patient data becomes an `AuditEvent`. A subgraph never calls the
admins subgraph while it handles a request: it writes the event into its OWN `audit_outbox` table,
in the same transaction as the change (so a change and its event commit or vanish together), and a
background relay (`subgraphs.kit.audit_relay`) delivers pending rows to the admins subgraph, which
appends them to its hash chain. Redis is not involved, and an admins outage only delays delivery.

Adopting the trail in a subgraph takes one migration and one call:

1. `models.py`:  ``class AuditOutbox(AuditOutboxMixin, Base): __tablename__ = "audit_outbox"``;
   a new migration whose `upgrade()` is ``create_audit_outbox("<schema>")`` (and `downgrade()`
   ``drop_audit_outbox("<schema>")``).
2. `app.py`:  ``SubgraphDefinition(..., **audit_hooks("<name>", AuditOutbox, on_startup=...,
   on_shutdown=...))`` (from `subgraphs.kit.audit_trail`): starts the relay and installs the trail.

From then on every mutation is recorded (by the `AuditOperations` schema extension, which
`build_schema` installs), and a resolver that wants the event inside its own transaction writes
through ``audit_trail(info).write(ctx, "doctor.update", target_type="doctor")``.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from alembic import op
from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Uuid, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from subgraphs.kit.errors import DomainError, Forbidden, NotFound, Unauthenticated

__all__ = [
    "OUTCOMES",
    "AuditEvent",
    "AuditOutboxMixin",
    "create_audit_outbox",
    "drop_audit_outbox",
    "outcome_of",
]

#: Outcomes an event may carry.
OUTCOMES: tuple[str, ...] = ("success", "denied", "not_found", "rejected", "error")


def outcome_of(exc: BaseException) -> str:
    """How a failed operation is recorded: refused callers and bad input are told apart."""
    if isinstance(exc, Forbidden | Unauthenticated):
        return "denied"
    if isinstance(exc, NotFound):
        return "not_found"
    if isinstance(exc, DomainError):
        return "rejected"
    return "error"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """One access or change, as the subgraph that saw it describes it (the wire format too)."""

    id: uuid.UUID = field(default_factory=uuid.uuid4)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    service: str
    action: str
    outcome: str = "success"
    actor_user_id: uuid.UUID | None = None
    actor_role: str | None = None
    session_id: uuid.UUID | None = None
    request_id: str | None = None
    ip: str | None = None
    target_type: str | None = None
    target_ids: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    def columns(self) -> dict[str, Any]:
        """Keyword arguments for an outbox row (JSON columns hold lists)."""
        values = asdict(self)
        values["target_ids"] = list(self.target_ids)
        values["fields"] = list(self.fields)
        return values

    def to_input(self) -> dict[str, Any]:
        """The `AuditEventInput` the admins subgraph's `appendAuditEvents` takes."""
        return {
            "id": str(self.id),
            "occurredAt": self.occurred_at.isoformat(),
            "service": self.service,
            "action": self.action,
            "outcome": self.outcome,
            "actorUserId": None if self.actor_user_id is None else str(self.actor_user_id),
            "actorRole": self.actor_role,
            "sessionId": None if self.session_id is None else str(self.session_id),
            "requestId": self.request_id,
            "ip": self.ip,
            "targetType": self.target_type,
            "targetIds": list(self.target_ids),
            "fields": list(self.fields),
            "details": self.details,
        }

    @classmethod
    def from_row(cls, row: Any) -> AuditEvent:
        return cls(
            id=row.id,
            occurred_at=row.occurred_at,
            service=row.service,
            action=row.action,
            outcome=row.outcome,
            actor_user_id=row.actor_user_id,
            actor_role=row.actor_role,
            session_id=row.session_id,
            request_id=row.request_id,
            ip=row.ip,
            target_type=row.target_type,
            target_ids=tuple(row.target_ids or ()),
            fields=tuple(row.fields or ()),
            details=dict(row.details or {}),
        )


class AuditOutboxMixin:
    """Columns of a subgraph's `audit_outbox`: the event, plus delivery bookkeeping."""

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    service: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(16))
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_role: Mapped[str | None] = mapped_column(String(16))
    session_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    request_id: Mapped[str | None] = mapped_column(String(128))
    ip: Mapped[str | None] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_ids: Mapped[list[str]] = mapped_column(JSONB, default=list)
    fields: Mapped[list[str]] = mapped_column(JSONB, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[Any, ...]:
        # The relay only ever scans pending rows, in order: keep that index tiny.
        return (
            Index(
                f"ix_{cls.__tablename__}_pending",  # type: ignore[attr-defined]
                "seq",
                postgresql_where=text("delivered_at IS NULL"),
            ),
        )


def create_audit_outbox(schema: str, table: str = "audit_outbox") -> None:
    """The migration step that adds the outbox to `schema` (call inside `upgrade()`)."""
    import sqlalchemy as sa

    op.create_table(
        table,
        sa.Column("seq", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_role", sa.String(length=16), nullable=True),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("target_type", sa.String(length=32), nullable=True),
        sa.Column("target_ids", JSONB(), nullable=False),
        sa.Column("fields", JSONB(), nullable=False),
        sa.Column("details", JSONB(), nullable=False),
        sa.Column(
            "recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("seq", name=f"pk_{table}"),
        sa.UniqueConstraint("id", name=f"uq_{table}_id"),
        schema=schema,
    )
    op.create_index(
        f"ix_{table}_pending",
        table,
        ["seq"],
        schema=schema,
        postgresql_where=sa.text("delivered_at IS NULL"),
    )


def drop_audit_outbox(schema: str, table: str = "audit_outbox") -> None:
    op.drop_index(f"ix_{table}_pending", table_name=table, schema=schema)
    op.drop_table(table, schema=schema)
