"""Normalize and check patient input; every failure names the offending field."""

from __future__ import annotations

import re
from datetime import date

from subgraphs.kit.errors import Invalid
from subgraphs.patients.models import Gender

__all__ = [
    "clean_birth_date",
    "clean_email",
    "clean_gender",
    "clean_name",
    "clean_optional_email",
    "clean_phone",
    "clean_relationship",
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ()\-.]{7,32}$")
MAX_AGE = 130


def clean_name(value: str, field: str, *, limit: int = 100) -> str:
    cleaned = " ".join(value.split())
    if not 1 <= len(cleaned) <= limit:
        raise Invalid(field, f"must be between 1 and {limit} characters")
    return cleaned


def clean_email(value: str, field: str = "email") -> str:
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise Invalid(field, "is not a valid email address")
    return email


def clean_optional_email(value: str | None, field: str = "email") -> str | None:
    return None if value is None or not value.strip() else clean_email(value, field)


def clean_phone(value: str | None, field: str = "phone", *, required: bool = False) -> str | None:
    if value is None or not value.strip():
        if required:
            raise Invalid(field, "is required")
        return None
    phone = " ".join(value.split())
    if not _PHONE.match(phone) or sum(ch.isdigit() for ch in phone) < 7:
        raise Invalid(field, "is not a valid phone number")
    return phone


def clean_gender(value: str) -> str:
    try:
        return Gender(value.lower()).value
    except ValueError as exc:
        raise Invalid("gender", "must be male, female, other or prefer_not_to_say") from exc


def clean_birth_date(value: date, today: date) -> date:
    if value > today:
        raise Invalid("dateOfBirth", "is in the future")
    if today.year - value.year > MAX_AGE:
        raise Invalid("dateOfBirth", f"is more than {MAX_AGE} years ago")
    return value


def clean_relationship(value: str) -> str:
    return clean_name(value, "relationship", limit=60)
