"""Admins' tables (schema `admins`): administrator profiles and the append-only audit trail."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from subgraphs.kit.audit import AuditOutboxMixin
from subgraphs.kit.db import TimestampMixin, make_base, new_id

__all__ = ["Admin", "AuditEvent", "AuditOutbox", "Base"]

Base = make_base("admins")


class Admin(TimestampMixin, Base):
    __tablename__ = "admins"
    # RETURNING the server-made timestamps on insert/update: rows outlive their session.
    __mapper_args__ = {"eager_defaults": True}
    __table_args__ = (Index("uq_admins_email_lower", text("lower(email)"), unique=True),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    department: Mapped[str | None] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    #: The admin's login in the auth subgraph (no cross-schema foreign key, by design).
    user_id: Mapped[uuid.UUID | None] = mapped_column(unique=True)


class AuditEvent(Base):
    """One access or change. Rows are only ever inserted; `hash` chains each to the previous."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_occurred_at", "occurred_at"),
        Index("ix_audit_events_actor", "actor_user_id", "occurred_at"),
        Index("ix_audit_events_target", "target_type", "occurred_at"),
        Index("ix_audit_events_action", "action", "seq"),
        Index("ix_audit_events_target_ids", "target_ids", postgresql_using="gin"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(unique=True, default=new_id)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    service: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(16))
    actor_user_id: Mapped[uuid.UUID | None]
    actor_role: Mapped[str | None] = mapped_column(String(16))
    session_id: Mapped[uuid.UUID | None]
    request_id: Mapped[str | None] = mapped_column(String(128))
    ip: Mapped[str | None] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_ids: Mapped[list[str]] = mapped_column(JSONB, default=list)
    fields: Mapped[list[str]] = mapped_column(JSONB, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditOutbox(AuditOutboxMixin, Base):
    """Events of the admins subgraph itself, waiting to be appended to the chain."""

    __tablename__ = "audit_outbox"
