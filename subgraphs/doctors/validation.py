"""Normalize and check doctor input; every failure names the offending field."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from subgraphs.kit.errors import Invalid

__all__ = [
    "clean_email",
    "clean_fee",
    "clean_license",
    "clean_name",
    "clean_phone",
    "clean_years",
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_LICENSE = re.compile(r"^([A-Z]{2,6})[-\s_./]*([0-9]{5,12})$")
_PHONE = re.compile(r"^\+?[0-9 ()\-.]{7,32}$")
MAX_FEE = Decimal("99999999.99")


def clean_name(value: str, field: str) -> str:
    cleaned = " ".join(value.split())
    if not 1 <= len(cleaned) <= 100:
        raise Invalid(field, "must be between 1 and 100 characters")
    return cleaned


def clean_email(value: str) -> str:
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise Invalid("email", "is not a valid email address")
    return email


def clean_license(value: str) -> str:
    """The normalized form: `med 0012345`, `MED_0012345`, `Med-0012345` all become `MED-0012345`."""
    match = _LICENSE.match(value.strip().upper())
    if match is None:
        raise Invalid("medicalLicense", "must be 2-6 letters then 5-12 digits, e.g. MED-0012345")
    return f"{match[1]}-{match[2]}"


def clean_phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    phone = " ".join(value.split())
    if not _PHONE.match(phone) or sum(ch.isdigit() for ch in phone) < 7:
        raise Invalid("phone", "is not a valid phone number")
    return phone


def clean_years(value: int) -> int:
    if not 0 <= value <= 80:
        raise Invalid("yearsExperience", "must be between 0 and 80")
    return value


def clean_fee(value: Decimal | float | str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        fee = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise Invalid("consultationFee", "is not a number") from exc
    if not Decimal(0) <= fee <= MAX_FEE:
        raise Invalid("consultationFee", "must be zero or positive")
    return fee
