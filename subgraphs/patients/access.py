"""Row-level rules for patient records: who may see which patients."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false

from subgraphs.kit.principal import Principal, Role
from subgraphs.patients.models import Patient

__all__ = ["can_see", "visible_to"]


def visible_to(principal: Principal) -> ColumnElement[bool] | None:
    """A SQL filter for the rows `principal` may see; None means every row (admins)."""
    match principal.role:
        case Role.ADMIN:
            return None
        case Role.DOCTOR if principal.profile_id is not None:
            return Patient.doctor_id == principal.profile_id
        case Role.INSTITUTION if principal.profile_id is not None:
            return Patient.institution_id == principal.profile_id
        case Role.PATIENT if principal.profile_id is not None:
            return Patient.id == principal.profile_id
        case _:
            return false()


def can_see(principal: Principal, patient: Patient) -> bool:
    match principal.role:
        case Role.ADMIN:
            return True
        case Role.DOCTOR:
            return principal.profile_id is not None and patient.doctor_id == principal.profile_id
        case Role.INSTITUTION:
            return (
                principal.profile_id is not None and patient.institution_id == principal.profile_id
            )
        case Role.PATIENT:
            return principal.profile_id is not None and patient.id == principal.profile_id
        case _:
            return False
