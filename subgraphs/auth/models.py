"""Auth's tables (schema `auth`): logins, sessions and refresh tokens, devices, events, keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from subgraphs.kit.audit import AuditOutboxMixin
from subgraphs.kit.db import TimestampMixin, make_base, new_id
from subgraphs.kit.principal import Role

__all__ = [
    "AuditOutbox",
    "Base",
    "Device",
    "RevokedToken",
    "RoleCount",
    "SecurityEvent",
    "SigningKey",
    "User",
    "UserSession",
    "UserToken",
]

Base = make_base("auth")

_NOW = func.now()


class User(TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(r.value) for r in Role)})", name="role"),
        Index("uq_users_email_lower", text("lower(email)"), unique=True),
        Index("ix_users_profile_id", "profile_id"),
        Index("ix_users_role_profile_id", "role", "profile_id"),
        Index(
            "ix_users_locked_until",
            "locked_until",
            postgresql_where=text("locked_until IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    profile_id: Mapped[uuid.UUID | None]
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RoleCount(Base):
    """Logins and distinct profiles per role: written only by the triggers of migration
    `auth_0005`, in the same transaction as the logins they count."""

    __tablename__ = "role_counts"

    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    profiles: Mapped[int] = mapped_column(BigInteger)
    logins: Mapped[int] = mapped_column(BigInteger)


class Device(Base):
    """A browser/app a user signed in from; `fingerprint` hashes its parsed family names."""

    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("user_id", "fingerprint"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    browser: Mapped[str] = mapped_column(String(64))
    os: Mapped[str] = mapped_column(String(64))
    device_type: Mapped[str] = mapped_column(String(16))
    last_ip: Mapped[str | None] = mapped_column(String(45))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)


class UserSession(Base):
    """One login: the family of refresh tokens it rotates through; `id` is the JWT `sid`."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_id_active", "user_id", "revoked_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    device_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("devices.id", ondelete="SET NULL")
    )
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(32))


class UserToken(Base):
    """A refresh token, stored as its SHA-256; `used_at` set when rotated (spent)."""

    __tablename__ = "user_tokens"
    __table_args__ = (Index("ix_user_tokens_session_id", "session_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_sessions.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RevokedToken(Base):
    """A revoked session (all its tokens) or a single access token (`jti`).

    Kept until `expires_at`, when no token it covers can still be valid; the Redis mirror is
    rebuilt from these rows.
    """

    __tablename__ = "revoked_tokens"
    __table_args__ = (
        CheckConstraint("session_id IS NOT NULL OR jti IS NOT NULL", name="target"),
        Index("ix_revoked_tokens_session_id", "session_id"),
        Index("ix_revoked_tokens_jti", "jti"),
        Index("ix_revoked_tokens_expires_at", "expires_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    session_id: Mapped[uuid.UUID | None]
    jti: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[uuid.UUID | None]
    reason: Mapped[str] = mapped_column(String(32))
    revoked_by: Mapped[uuid.UUID | None]
    revoked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SecurityEvent(Base):
    """Logins, failures, lockouts, new devices, revocations: the account's security history."""

    __tablename__ = "security_events"
    __table_args__ = (
        Index("ix_security_events_kind_created_at", "kind", "created_at"),
        Index("ix_security_events_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)


class SigningKey(Base):
    """A JWT signing key pair, shared by every auth replica; the private half is encrypted.

    The newest unretired key signs; retired keys stay published until their tokens expire.
    """

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(16))
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSONB)
    private_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=_NOW)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditOutbox(AuditOutboxMixin, Base):
    """Audit events of this subgraph, waiting for the relay to deliver them to admins."""

    __tablename__ = "audit_outbox"
