"""Institutions' tables (schema `institutions`)."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Index, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from subgraphs.kit.audit import AuditOutboxMixin
from subgraphs.kit.db import TimestampMixin, make_base, new_id

__all__ = [
    "LICENSE_PATTERN",
    "AuditOutbox",
    "Base",
    "Institution",
    "InstitutionType",
    "name_key",
]

Base = make_base("institutions")

#: Normalized licence numbers: an upper-case prefix, a hyphen, digits (e.g. `INST-000123`).
LICENSE_PATTERN = r"^[A-Z]{2,6}-[0-9]{4,12}$"


class InstitutionType(StrEnum):
    HOSPITAL = "hospital"
    PREVENTIVE_CLINIC = "preventive_clinic"
    HEALTH_CENTER = "health_center"
    PUBLIC_HEALTH = "public_health"
    INSURER = "insurer"
    PHARMACY = "pharmacy"
    RESEARCH = "research"
    EDUCATION = "education"


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in enum)})"


def name_key(column: object) -> object:
    """The folded (lower-case, unaccented) form the trigram index is built on.

    `institutions.fold` is an IMMUTABLE wrapper around unaccent (created by a migration):
    unaccent itself is only STABLE, so it cannot appear in an index expression.
    """
    return func.institutions.fold(column)


class Institution(TimestampMixin, Base):
    __tablename__ = "institutions"
    # RETURNING the server-made timestamps on insert/update: rows outlive their session.
    __mapper_args__ = {"eager_defaults": True}
    __table_args__ = (
        CheckConstraint(_in("institution_type", InstitutionType), name="institution_type"),
        CheckConstraint(f"license_number ~ '{LICENSE_PATTERN}'", name="license_format"),
        Index("uq_institutions_contact_email_lower", text("lower(contact_email)"), unique=True),
        Index("ix_institutions_type_region", "institution_type", "region"),
        Index("ix_institutions_region", "region"),
        Index("ix_institutions_name_id", "name", "id"),
        Index("ix_institutions_created_at_id", "created_at", "id"),
        Index(
            "ix_institutions_name_trgm",
            text("institutions.fold(name) gin_trgm_ops"),
            postgresql_using="gin",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    institution_type: Mapped[str] = mapped_column(String(32))
    contact_email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(Text)
    region: Mapped[str | None] = mapped_column(String(100))
    website: Mapped[str | None] = mapped_column(String(300))
    license_number: Mapped[str] = mapped_column(String(64), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    is_verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    #: The institution's login in the auth subgraph (no cross-schema foreign key, by design).
    user_id: Mapped[uuid.UUID | None] = mapped_column(unique=True)


class AuditOutbox(AuditOutboxMixin, Base):
    """Audit events of this subgraph, waiting for the relay to deliver them to admins."""

    __tablename__ = "audit_outbox"
