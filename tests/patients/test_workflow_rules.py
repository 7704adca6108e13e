"""The validation workflow as pure rules: who moves which step, and what is refused."""

from __future__ import annotations

import uuid

import pytest

from subgraphs.kit.errors import Conflict, Forbidden, Invalid
from subgraphs.kit.principal import Principal, Role
from subgraphs.patients.models import Patient
from subgraphs.patients.workflow import set_status, validate

DOCTOR, INSTITUTION = uuid.uuid4(), uuid.uuid4()


def _row(status: str = "pending") -> Patient:
    return Patient(id=uuid.uuid4(), doctor_id=DOCTOR, institution_id=INSTITUTION,
                   validation_status=status)  # fmt: skip


def _who(role: Role, profile: uuid.UUID | None = None) -> Principal:
    return Principal(user_id=uuid.uuid4(), role=role, profile_id=profile)


def test_doctor_then_institution_gives_full_access() -> None:
    row = _row()
    doctor, institution = _who(Role.DOCTOR, DOCTOR), _who(Role.INSTITUTION, INSTITUTION)
    assert validate(doctor, row) == "doctor_validated"
    assert row.doctor_validated_by == doctor.user_id
    assert row.doctor_validated_at is not None
    assert validate(institution, row) == "full_access"
    assert row.institution_validated_by == institution.user_id


def test_institution_then_doctor_gives_full_access() -> None:
    row = _row()
    assert validate(_who(Role.INSTITUTION, INSTITUTION), row) == "institution_validated"
    assert validate(_who(Role.DOCTOR, DOCTOR), row) == "full_access"


@pytest.mark.parametrize("status", ["doctor_validated", "full_access"])
def test_doctor_cannot_validate_twice(status: str) -> None:
    with pytest.raises(Conflict):
        validate(_who(Role.DOCTOR, DOCTOR), _row(status))


def test_strangers_and_admins_cannot_validate() -> None:
    with pytest.raises(Forbidden):
        validate(_who(Role.DOCTOR, uuid.uuid4()), _row())
    with pytest.raises(Forbidden):
        validate(_who(Role.INSTITUTION, uuid.uuid4()), _row())
    with pytest.raises(Invalid):
        validate(_who(Role.ADMIN), _row())


def test_admin_sets_any_state_and_clears_what_it_denies() -> None:
    row = _row("full_access")
    row.doctor_validated_by = uuid.uuid4()
    admin = _who(Role.ADMIN)
    assert set_status(admin, row, "institution_validated") == "institution_validated"
    assert row.doctor_validated_by is None
    assert row.status_changed_by == admin.user_id
    with pytest.raises(Invalid):
        set_status(admin, row, "approved")
    with pytest.raises(Forbidden):
        set_status(_who(Role.DOCTOR, DOCTOR), row, "full_access")
