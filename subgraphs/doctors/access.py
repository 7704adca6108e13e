"""Who may see and change a doctor's profile (pure decisions, no I/O)."""

from __future__ import annotations

import uuid

from subgraphs.doctors.models import Doctor
from subgraphs.kit.errors import Forbidden
from subgraphs.kit.principal import Principal, Role

__all__ = [
    "SELF_EDITABLE",
    "can_manage",
    "can_see_private",
    "is_admin",
    "is_self",
    "owns_institution",
    "require_private",
]

#: What a doctor may change on their own profile; the rest is for their institution or admins.
SELF_EDITABLE = frozenset(
    {
        "first_name",
        "last_name",
        "phone",
        "specialty_id",
        "secondary_specialty_id",
        "years_experience",
        "consultation_fee",
    }
)


def is_admin(principal: Principal) -> bool:
    return principal.has_role(Role.ADMIN, Role.SERVICE)


def is_self(principal: Principal, row: Doctor) -> bool:
    return principal.has_role(Role.DOCTOR) and principal.profile_id == row.id


def owns_institution(principal: Principal, institution_id: uuid.UUID | None) -> bool:
    return (
        principal.has_role(Role.INSTITUTION)
        and institution_id is not None
        and principal.profile_id == institution_id
    )


def can_manage(principal: Principal, row: Doctor) -> bool:
    """Admins and the doctor's own institution manage the whole profile."""
    return is_admin(principal) or owns_institution(principal, row.institution_id)


def can_see_private(principal: Principal, row: Doctor) -> bool:
    """Contact and business fields: the doctor, their institution, admins and services."""
    return can_manage(principal, row) or is_self(principal, row)


def require_private(principal: Principal, row: Doctor, field: str) -> None:
    if not can_see_private(principal, row):
        raise Forbidden(
            f"Only the doctor, their institution and admins may see {field}", field=field
        )
