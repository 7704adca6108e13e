"""Doctors' tables (schema `doctors`): the specialty catalog and doctor profiles."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from subgraphs.kit.audit import AuditOutboxMixin
from subgraphs.kit.db import TimestampMixin, make_base, new_id

__all__ = [
    "LICENSE_PATTERN",
    "AuditOutbox",
    "Base",
    "Doctor",
    "LicenseStatus",
    "ProfessionalStatus",
    "Specialty",
    "name_key",
]

Base = make_base("doctors")


class ProfessionalStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    RETIRED = "retired"


class LicenseStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


#: Normalized medical licences: an upper-case prefix, a hyphen, digits (e.g. `MED-0012345`).
LICENSE_PATTERN = r"^[A-Z]{2,6}-[0-9]{5,12}$"


def name_key(first_name: object, last_name: object) -> object:
    """`doctors.full_name_key(first, last)`: folded (lower-case, unaccented) "first last", the
    expression the trigram index is built on (an IMMUTABLE SQL function made by a migration)."""
    return func.doctors.full_name_key(first_name, last_name)


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in enum)})"


class Specialty(Base):
    __tablename__ = "specialties"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    category: Mapped[str] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(Text)


class Doctor(TimestampMixin, Base):
    __tablename__ = "doctors"
    # RETURNING the server-made timestamps on insert/update: rows outlive their session.
    __mapper_args__ = {"eager_defaults": True}
    __table_args__ = (
        CheckConstraint(_in("professional_status", ProfessionalStatus), name="professional_status"),
        CheckConstraint(_in("license_status", LicenseStatus), name="license_status"),
        CheckConstraint("years_experience >= 0", name="years_experience"),
        CheckConstraint("consultation_fee IS NULL OR consultation_fee >= 0", name="fee"),
        Index("uq_doctors_email_lower", text("lower(email)"), unique=True),
        CheckConstraint(f"medical_license ~ '{LICENSE_PATTERN}'", name="license_format"),
        Index("ix_doctors_institution_id", "institution_id"),
        Index("ix_doctors_specialty_id", "specialty_id"),
        Index("ix_doctors_name_id", "last_name", "first_name", "id"),
        Index("ix_doctors_created_at_id", "created_at", "id"),
        Index("ix_doctors_institution_name", "institution_id", "last_name", "first_name", "id"),
        Index(
            "ix_doctors_full_name_trgm",
            text("doctors.full_name_key(first_name, last_name) gin_trgm_ops"),
            postgresql_using="gin",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # The institution lives in another subgraph: no foreign key across schemas, by design.
    institution_id: Mapped[uuid.UUID | None]
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    medical_license: Mapped[str] = mapped_column(String(64), unique=True)
    license_status: Mapped[str] = mapped_column(
        String(16), default=LicenseStatus.PENDING, server_default=LicenseStatus.PENDING.value
    )
    license_reviewed_by: Mapped[uuid.UUID | None]
    license_reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    specialty_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("specialties.id"))
    secondary_specialty_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("specialties.id"))
    years_experience: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    consultation_fee: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    professional_status: Mapped[str] = mapped_column(
        String(16),
        default=ProfessionalStatus.ACTIVE,
        server_default=ProfessionalStatus.ACTIVE.value,
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    #: The doctor's login in the auth subgraph (no cross-schema foreign key, by design).
    user_id: Mapped[uuid.UUID | None] = mapped_column(unique=True)


class AuditOutbox(AuditOutboxMixin, Base):
    """Audit events of this subgraph, waiting for the relay to deliver them to admins."""

    __tablename__ = "audit_outbox"
