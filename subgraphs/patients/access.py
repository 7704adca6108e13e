"""Row-level rules for patient records: who may see and change which patients (no I/O)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, true

from subgraphs.kit.principal import Principal, Role
from subgraphs.patients.models import Patient
from subgraphs.patients.search import Viewer

__all__ = [
    "can_manage",
    "can_see",
    "is_admin",
    "is_own_doctor",
    "is_own_institution",
    "viewer_of",
    "visible_to",
]


def viewer_of(principal: Principal) -> Viewer:
    return Viewer(None if principal.role is None else principal.role.value, principal.profile_id)


def is_admin(principal: Principal) -> bool:
    return principal.has_role(Role.ADMIN, Role.SERVICE)


def visible_to(viewer: Viewer, table: Any = Patient) -> ColumnElement[bool]:
    """A SQL filter for the rows `viewer` may see, ANDed into every query (filters never leak)."""
    match viewer.role:
        case Role.ADMIN | Role.SERVICE:
            return true()
        case Role.DOCTOR if viewer.profile_id is not None:
            return table.doctor_id == viewer.profile_id  # type: ignore[no-any-return]
        case Role.INSTITUTION if viewer.profile_id is not None:
            return table.institution_id == viewer.profile_id  # type: ignore[no-any-return]
        case Role.PATIENT if viewer.profile_id is not None:
            return table.id == viewer.profile_id  # type: ignore[no-any-return]
        case _:
            return false()


def is_own_doctor(principal: Principal, patient: Patient) -> bool:
    return (
        principal.has_role(Role.DOCTOR)
        and principal.profile_id is not None
        and patient.doctor_id == principal.profile_id
    )


def is_own_institution(principal: Principal, patient: Patient) -> bool:
    return (
        principal.has_role(Role.INSTITUTION)
        and principal.profile_id is not None
        and patient.institution_id == principal.profile_id
    )


def can_see(principal: Principal, patient: Patient) -> bool:
    if is_admin(principal) or is_own_doctor(principal, patient):
        return True
    if is_own_institution(principal, patient):
        return True
    return (
        principal.has_role(Role.PATIENT)
        and principal.profile_id is not None
        and patient.id == principal.profile_id
    )


def can_manage(principal: Principal, patient: Patient) -> bool:
    """The patient's doctor, their institution and admins change the record."""
    return (
        is_admin(principal)
        or is_own_doctor(principal, patient)
        or is_own_institution(principal, patient)
    )
