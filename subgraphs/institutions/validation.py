"""Normalize and check institution input; every failure names the offending field."""

from __future__ import annotations

import re

from subgraphs.institutions.models import InstitutionType
from subgraphs.kit.errors import Invalid

__all__ = [
    "clean_address",
    "clean_email",
    "clean_license",
    "clean_name",
    "clean_phone",
    "clean_region",
    "clean_type",
    "clean_website",
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_LICENSE = re.compile(r"^([A-Z]{2,6})[-\s_./]*([0-9]{4,12})$")
_PHONE = re.compile(r"^\+?[0-9 ()\-.]{7,32}$")
_WEBSITE = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$", re.IGNORECASE)


def _text(field: str, value: str, *, minimum: int, maximum: int) -> str:
    cleaned = " ".join(value.split())
    if not minimum <= len(cleaned) <= maximum:
        raise Invalid(field, f"must be between {minimum} and {maximum} characters")
    return cleaned


def clean_name(value: str) -> str:
    return _text("name", value, minimum=2, maximum=200)


def clean_type(value: str) -> str:
    try:
        return InstitutionType(value).value
    except ValueError as exc:
        raise Invalid("institutionType", "is not a known institution type") from exc


def clean_email(value: str, field: str = "contactEmail") -> str:
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise Invalid(field, "is not a valid email address")
    return email


def clean_license(value: str) -> str:
    """`inst 000123`, `INST_000123`, `Inst-000123` all become `INST-000123`."""
    match = _LICENSE.match(value.strip().upper())
    if match is None:
        raise Invalid("licenseNumber", "must be 2-6 letters then 4-12 digits, e.g. INST-000123")
    return f"{match[1]}-{match[2]}"


def clean_phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    phone = " ".join(value.split())
    if not _PHONE.match(phone) or sum(ch.isdigit() for ch in phone) < 7:
        raise Invalid("phone", "is not a valid phone number")
    return phone


def clean_website(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    website = value.strip()
    if len(website) > 300 or not _WEBSITE.match(website):
        raise Invalid("website", "must be an http(s) URL")
    return website


def clean_region(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return _text("region", value, minimum=2, maximum=100)


def clean_address(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return _text("address", value, minimum=3, maximum=1000)
