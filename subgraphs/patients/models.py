"""Patients' tables (schema `patients`): patient records and their emergency contacts."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from subgraphs.kit.audit import AuditOutboxMixin
from subgraphs.kit.db import TimestampMixin, make_base, new_id

__all__ = [
    "AuditOutbox",
    "Base",
    "DoctorCount",
    "EmergencyContact",
    "Gender",
    "Patient",
    "PatientCount",
    "ValidationStatus",
    "name_key",
]

Base = make_base("patients")


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


class ValidationStatus(StrEnum):
    PENDING = "pending"
    DOCTOR_VALIDATED = "doctor_validated"
    INSTITUTION_VALIDATED = "institution_validated"
    FULL_ACCESS = "full_access"


def name_key(first_name: object, last_name: object) -> object:
    """`patients.full_name_key(first, last)`: folded (lower-case, unaccented) "first last" (an
    IMMUTABLE SQL function made by a migration); stored per row as `Patient.name_key`."""
    return func.patients.full_name_key(first_name, last_name)


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in enum)})"


class Patient(TimestampMixin, Base):
    __tablename__ = "patients"
    # RETURNING the server-made timestamps on insert/update: rows outlive their session.
    __mapper_args__ = {"eager_defaults": True}
    __table_args__ = (
        CheckConstraint(_in("gender", Gender), name="gender"),
        CheckConstraint(_in("validation_status", ValidationStatus), name="validation_status"),
        Index("uq_patients_email_lower", text("lower(email)"), unique=True),
        Index("ix_patients_doctor_id", "doctor_id"),
        Index("ix_patients_institution_id", "institution_id"),
        # Includes name_key: a broad name search walks it by name without reading the table.
        Index(
            "ix_patients_name_id", "last_name", "first_name", "id", postgresql_include=["name_key"]
        ),
        Index("ix_patients_created_at_id", "created_at", "id"),
        Index("ix_patients_status_created_at_id", "validation_status", "created_at", "id"),
        Index("ix_patients_gender_created_at_id", "gender", "created_at", "id"),
        Index("ix_patients_doctor_name", "doctor_id", "last_name", "first_name", "id"),
        Index("ix_patients_institution_name", "institution_id", "last_name", "first_name", "id"),
        Index("ix_patients_date_of_birth", "date_of_birth"),
        Index("ix_patients_name_key_trgm", text("name_key gin_trgm_ops"), postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # Doctors and institutions live in other subgraphs: ids only, no cross-schema foreign keys.
    doctor_id: Mapped[uuid.UUID | None]
    institution_id: Mapped[uuid.UUID | None]
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    date_of_birth: Mapped[date] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(24))
    phone: Mapped[str | None] = mapped_column(String(32))
    validation_status: Mapped[str] = mapped_column(
        String(24), default=ValidationStatus.PENDING, server_default=ValidationStatus.PENDING.value
    )
    doctor_validated_by: Mapped[uuid.UUID | None]
    doctor_validated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    institution_validated_by: Mapped[uuid.UUID | None]
    institution_validated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    #: Who last set the validation status outside the doctor/institution workflow, and when.
    status_changed_by: Mapped[uuid.UUID | None]
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The patient's login in the auth subgraph (no cross-schema foreign key, by design).
    user_id: Mapped[uuid.UUID | None] = mapped_column(unique=True)
    #: `name_key(first_name, last_name)` stored: name search filters on it without calling
    #: unaccent per row, and the trigram index covers it.
    name_key: Mapped[str] = mapped_column(
        Text, Computed("patients.full_name_key(first_name, last_name)", persisted=True)
    )


class PatientCount(Base):
    """Patients per (gender, status, active, birth month): written only by the triggers of
    migration `patients_0006`, in the same transaction as the patients they count."""

    __tablename__ = "patient_counts"

    gender: Mapped[str] = mapped_column(String(24), primary_key=True)
    validation_status: Mapped[str] = mapped_column(String(24), primary_key=True)
    is_active: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    #: The first day of the month.
    birth_month: Mapped[date] = mapped_column(Date, primary_key=True)
    patients: Mapped[int] = mapped_column(BigInteger)


class DoctorCount(Base):
    """Patients per doctor (those without one are not here): written only by the triggers of
    migration `patients_0007`, in the same transaction as the patients they count."""

    __tablename__ = "doctor_counts"

    doctor_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    patients: Mapped[int] = mapped_column(BigInteger)


class EmergencyContact(TimestampMixin, Base):
    __tablename__ = "emergency_contacts"
    __mapper_args__ = {"eager_defaults": True}
    __table_args__ = (
        Index("ix_emergency_contacts_patient_id", "patient_id"),
        # At most one primary contact per patient, enforced by the database itself.
        Index(
            "uq_emergency_contacts_primary",
            "patient_id",
            unique=True,
            postgresql_where=text("is_primary"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    relationship: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class AuditOutbox(AuditOutboxMixin, Base):
    """Audit events of this subgraph, waiting for the relay to deliver them to admins."""

    __tablename__ = "audit_outbox"
