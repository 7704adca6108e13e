"""Opaque keyset cursors for Relay-style pagination (no OFFSET: pages stay fast and stable)."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

import orjson

from subgraphs.kit.errors import Invalid

__all__ = ["Cursor", "Page", "PageRequest", "decode_cursor", "encode_cursor", "page_request"]

T = TypeVar("T")
MAX_PAGE = 100

_TAGS: dict[str, type] = {"u": uuid.UUID, "t": datetime, "d": Decimal}


def _dump(value: Any) -> Any:
    # Tag non-JSON values so a cursor round-trips to the exact type the keyset comparison needs.
    if isinstance(value, uuid.UUID):
        return {"u": str(value)}
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, Decimal):
        return {"d": str(value)}
    return value


def _load(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((tag, raw),) = value.items()
        if tag == "t":
            return datetime.fromisoformat(raw)
        if tag in _TAGS:
            return _TAGS[tag](raw)
    if isinstance(value, dict | list):
        raise ValueError("unexpected cursor value")
    return value


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ended: the sort it belongs to and the sort key of its last row."""

    sort: str
    key: tuple[Any, ...]


def encode_cursor(sort: str, key: Sequence[Any]) -> str:
    payload = orjson.dumps({"s": sort, "k": [_dump(v) for v in key]})
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(raw: str, *, sort: str, arity: int, field: str = "after") -> Cursor:
    """Decode a cursor made for `sort`; anything else is BAD_USER_INPUT naming `field`."""
    try:
        padded = raw + "=" * (-len(raw) % 4)
        body = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(body, dict) or not isinstance(body.get("k"), list):
            raise ValueError("malformed cursor")
        key = tuple(_load(v) for v in body["k"])
        made_for = body.get("s")
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise Invalid(field, "is not a valid cursor") from exc
    if made_for != sort or len(key) != arity:
        raise Invalid(field, "belongs to a different sort order; start again without it")
    return Cursor(sort=sort, key=key)


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A validated `first`/`after` pair."""

    first: int
    after: Cursor | None


def page_request(
    first: int, after: str | None, *, sort: str, arity: int, maximum: int = MAX_PAGE
) -> PageRequest:
    if not 0 <= first <= maximum:
        raise Invalid("first", f"must be between 0 and {maximum}")
    cursor = None if after is None else decode_cursor(after, sort=sort, arity=arity)
    return PageRequest(first=first, after=cursor)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of rows plus what Relay's PageInfo needs; `keys[i]` is the cursor key of rows[i]."""

    rows: Sequence[T]
    cursors: Sequence[str]
    has_next: bool
    has_previous: bool

    @classmethod
    def build(
        cls,
        fetched: Sequence[T],
        request: PageRequest,
        *,
        sort: str,
        key_of: Any,
    ) -> Page[T]:
        """`fetched` holds up to first+1 rows: the extra one only tells that a next page exists."""
        rows = list(fetched[: request.first])
        return cls(
            rows=rows,
            cursors=[encode_cursor(sort, key_of(row)) for row in rows],
            has_next=len(fetched) > request.first,
            has_previous=request.after is not None,
        )
