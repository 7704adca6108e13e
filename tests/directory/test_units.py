"""Pure rules without servers: licence normalization, cursor codec, who sees and manages what."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subgraphs.doctors import access
from subgraphs.doctors import validation as doctor_validation
from subgraphs.doctors.models import Doctor
from subgraphs.institutions import validation as institution_validation
from subgraphs.kit.errors import Invalid
from subgraphs.kit.keyset import decode_cursor, encode_cursor, page_request
from subgraphs.kit.principal import Principal, Role, scopes_for


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("MED-0012345", "MED-0012345"),
        ("med 0012345", "MED-0012345"),
        ("  Med_0012345 ", "MED-0012345"),
        ("CED.12345678", "CED-12345678"),
        ("ced12345678", "CED-12345678"),
    ],
)
def test_medical_licence_normalization(raw: str, normalized: str) -> None:
    assert doctor_validation.clean_license(raw) == normalized


@pytest.mark.parametrize("raw", ["", "12345", "M-12345", "MEDICAL-12345", "MED-1234", "MED-12a45"])
def test_bad_medical_licences_name_the_field(raw: str) -> None:
    with pytest.raises(Invalid) as caught:
        doctor_validation.clean_license(raw)
    assert caught.value.field == "medicalLicense"


def test_institution_licence_and_contact_rules() -> None:
    assert institution_validation.clean_license("inst 000123") == "INST-000123"
    assert institution_validation.clean_email("  Info@Clinic.MX ") == "info@clinic.mx"
    with pytest.raises(Invalid, match="website"):
        institution_validation.clean_website("javascript:alert(1)")


def test_fee_is_money() -> None:
    assert doctor_validation.clean_fee("800") == Decimal("800.00")
    with pytest.raises(Invalid, match="consultationFee"):
        doctor_validation.clean_fee("-0.01")


@given(
    st.tuples(
        st.text(max_size=40),
        st.datetimes(timezones=st.just(UTC)),
        st.uuids(),
        st.integers(min_value=-(2**40), max_value=2**40),
    )
)
def test_cursor_round_trips_every_key_type(key: tuple[str, datetime, uuid.UUID, int]) -> None:
    cursor = encode_cursor("name:asc", key)
    assert decode_cursor(cursor, sort="name:asc", arity=4).key == key


@pytest.mark.parametrize("raw", ["", "!!!", "e30", "W10", "eyJzIjoxfQ"])
def test_garbage_cursors_are_bad_input(raw: str) -> None:
    with pytest.raises(Invalid) as caught:
        page_request(10, raw, sort="name:asc", arity=2)
    assert caught.value.field == "after"


def _principal(role: Role, profile: uuid.UUID | None = None) -> Principal:
    return Principal(user_id=uuid.uuid4(), role=role, profile_id=profile, scopes=scopes_for(role))


def test_who_sees_a_doctors_private_fields() -> None:
    home, elsewhere = uuid.uuid4(), uuid.uuid4()
    doctor = Doctor(id=uuid.uuid4(), institution_id=home)
    table = {
        _principal(Role.ADMIN): True,
        _principal(Role.INSTITUTION, home): True,
        _principal(Role.INSTITUTION, elsewhere): False,
        _principal(Role.DOCTOR, doctor.id): True,
        _principal(Role.DOCTOR, uuid.uuid4()): False,
        # A patient whose profile id happens to equal the doctor's is still a patient.
        _principal(Role.PATIENT, doctor.id): False,
        _principal(Role.ANALYST): False,
    }
    assert all(access.can_see_private(p, doctor) is e for p, e in table.items())
