"""What a patient search asks for: filters, sort order, batched page keys (plain data)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

__all__ = [
    "CountKey",
    "PageKey",
    "PatientFilter",
    "PatientSort",
    "SortField",
    "Viewer",
    "like_pattern",
]


class SortField(StrEnum):
    NAME = "name"
    CREATED_AT = "created_at"
    DATE_OF_BIRTH = "date_of_birth"


@dataclass(frozen=True, slots=True)
class PatientSort:
    field: SortField = SortField.NAME
    descending: bool = False

    @property
    def token(self) -> str:
        """Names the order inside a cursor: a cursor only continues the order it came from."""
        return f"{self.field.value}:{'desc' if self.descending else 'asc'}"

    @property
    def arity(self) -> int:
        return 3 if self.field is SortField.NAME else 2


@dataclass(frozen=True, slots=True)
class PatientFilter:
    """Every field narrows the result; None means "any". Ages become birth-date bounds
    (`born_after` exclusive, `born_on_or_before` inclusive) computed for today's date."""

    doctor_ids: tuple[uuid.UUID, ...] | None = None
    institution_ids: tuple[uuid.UUID, ...] | None = None
    genders: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    is_active: bool | None = None
    name: str | None = None
    born_on_or_before: date | None = None
    born_after: date | None = None
    ids: tuple[uuid.UUID, ...] | None = None


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking, reduced to what row visibility depends on (hashable: keys loaders)."""

    role: str | None
    profile_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class PageKey:
    """One owner's page; keys differing only in `owner_id` share one statement."""

    owner_column: str
    owner_id: uuid.UUID
    viewer: Viewer
    where: PatientFilter
    sort: PatientSort
    limit: int
    after: tuple[Any, ...] | None


@dataclass(frozen=True, slots=True)
class CountKey:
    owner_column: str
    owner_id: uuid.UUID
    viewer: Viewer
    where: PatientFilter


def like_pattern(term: str) -> str:
    """A LIKE pattern matching `term` anywhere, with LIKE's own wildcards taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
