"""The validation workflow: pending → doctor_validated and/or institution_validated → full_access.

The patient's doctor and the patient's institution each validate once; when both have, the
patient has full access. Admins may set any state. Each step records who and when.
"""

from __future__ import annotations

from datetime import UTC, datetime

from subgraphs.kit.errors import Conflict, Forbidden, Invalid
from subgraphs.kit.principal import Principal
from subgraphs.patients.access import is_admin, is_own_doctor, is_own_institution
from subgraphs.patients.models import Patient, ValidationStatus

__all__ = ["set_status", "validate"]

S = ValidationStatus


def _doctor_done(row: Patient) -> bool:
    return row.validation_status in (S.DOCTOR_VALIDATED, S.FULL_ACCESS)


def _institution_done(row: Patient) -> bool:
    return row.validation_status in (S.INSTITUTION_VALIDATED, S.FULL_ACCESS)


def validate(principal: Principal, row: Patient, now: datetime | None = None) -> str:
    """The caller's own validation step; returns the new status. The caller must be the
    patient's doctor or institution (admins use `set_status`)."""
    now = now or datetime.now(UTC)
    if is_own_doctor(principal, row):
        if _doctor_done(row):
            raise Conflict(
                f"The doctor already validated this patient (status {row.validation_status})",
                field="validationStatus",
            )
        row.validation_status = (
            S.FULL_ACCESS if _institution_done(row) else S.DOCTOR_VALIDATED
        ).value
        row.doctor_validated_by, row.doctor_validated_at = principal.user_id, now
        return row.validation_status
    if is_own_institution(principal, row):
        if _institution_done(row):
            raise Conflict(
                f"The institution already validated this patient (status {row.validation_status})",
                field="validationStatus",
            )
        row.validation_status = (
            S.FULL_ACCESS if _doctor_done(row) else S.INSTITUTION_VALIDATED
        ).value
        row.institution_validated_by, row.institution_validated_at = principal.user_id, now
        return row.validation_status
    if is_admin(principal):
        raise Invalid("id", "administrators set a status with setPatientValidationStatus")
    raise Forbidden("Only the patient's doctor or institution may validate this patient")


def set_status(principal: Principal, row: Patient, status: str, now: datetime | None = None) -> str:
    """Admins only: any state. Validations the new state does not include are cleared, so the
    record never claims a validation its status denies."""
    if not is_admin(principal):
        raise Forbidden("Only administrators may set a validation status directly")
    try:
        target = S(status)
    except ValueError as exc:
        raise Invalid("status", "is not a validation status") from exc
    now = now or datetime.now(UTC)
    if target in (S.PENDING, S.INSTITUTION_VALIDATED):
        row.doctor_validated_by = row.doctor_validated_at = None
    if target in (S.PENDING, S.DOCTOR_VALIDATED):
        row.institution_validated_by = row.institution_validated_at = None
    row.validation_status = target.value
    row.status_changed_by, row.status_changed_at = principal.user_id, now
    return row.validation_status
