"""What a directory search asks for: filters and sort order (plain data, shared by layers)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["InstitutionFilter", "InstitutionSort", "SortField", "like_pattern"]


class SortField(StrEnum):
    NAME = "name"
    CREATED_AT = "created_at"


@dataclass(frozen=True, slots=True)
class InstitutionSort:
    field: SortField = SortField.NAME
    descending: bool = False

    @property
    def token(self) -> str:
        """Names the order inside a cursor: a cursor only continues the order it came from."""
        return f"{self.field.value}:{'desc' if self.descending else 'asc'}"


@dataclass(frozen=True, slots=True)
class InstitutionFilter:
    """Every field narrows the result; None means "any"."""

    types: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    is_active: bool | None = None
    is_verified: bool | None = None
    name: str | None = None
    ids: tuple[uuid.UUID, ...] | None = None


def like_pattern(term: str) -> str:
    """A LIKE pattern matching `term` anywhere, with LIKE's own wildcards taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
