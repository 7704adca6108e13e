"""Turn GraphQL IDs into UUIDs: strictly for arguments, leniently for entity references."""

from __future__ import annotations

import uuid

from subgraphs.kit.errors import Invalid

__all__ = ["parse_id", "try_parse_id"]


def parse_id(value: object, field: str = "id") -> uuid.UUID:
    """The UUID an argument names, or BAD_USER_INPUT naming the argument."""
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Invalid(field, "is not a valid id") from exc


def try_parse_id(value: object) -> uuid.UUID | None:
    """The UUID, or None: a malformed key in a reference resolves to null, like a missing row."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
