"""What a doctor search asks for: filters and sort order (plain data, shared by layers)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["CountKey", "DoctorFilter", "DoctorSort", "PageKey", "SortField", "like_pattern"]


class SortField(StrEnum):
    NAME = "name"
    CREATED_AT = "created_at"
    YEARS_EXPERIENCE = "years_experience"


@dataclass(frozen=True, slots=True)
class DoctorSort:
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
class DoctorFilter:
    """Every field narrows the result; None means "any". Hashable: it keys dataloaders."""

    specialty_ids: tuple[uuid.UUID, ...] | None = None
    institution_ids: tuple[uuid.UUID, ...] | None = None
    statuses: tuple[str, ...] | None = None
    license_statuses: tuple[str, ...] | None = None
    is_active: bool | None = None
    name: str | None = None
    ids: tuple[uuid.UUID, ...] | None = None


@dataclass(frozen=True, slots=True)
class PageKey:
    """One institution's page; keys differing only in `institution_id` share a statement."""

    institution_id: uuid.UUID
    where: DoctorFilter
    sort: DoctorSort
    limit: int
    after: tuple[Any, ...] | None


@dataclass(frozen=True, slots=True)
class CountKey:
    institution_id: uuid.UUID
    where: DoctorFilter


def like_pattern(term: str) -> str:
    """A LIKE pattern matching `term` anywhere, with LIKE's own wildcards taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
