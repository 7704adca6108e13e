"""The audit log's hash chain: how an event's hash is computed, and checking a stored chain.

Each stored event carries `prev_hash` (the hash of the event before it, or GENESIS for the first)
and `hash` = SHA-256 over a canonical JSON of its own content plus `prev_hash`. Editing, deleting
or reordering any row breaks the chain at that row; `verify_chain` finds the first such row.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["GENESIS", "HASHED_COLUMNS", "ChainReport", "event_hash", "verify_chain"]

GENESIS = "0" * 64

#: The columns a hash covers, in a fixed order (everything but `seq`, `hash` itself).
HASHED_COLUMNS = (
    "id", "occurred_at", "service", "action", "outcome", "actor_user_id", "actor_role",
    "session_id", "request_id", "ip", "target_type", "target_ids", "fields", "details",
    "prev_hash",
)  # fmt: skip


def _canonical(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        # One spelling per instant: UTC, microseconds (what PostgreSQL keeps).
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def event_hash(event: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the event's hashed columns, `prev_hash` included."""
    body = {name: _canonical(event.get(name)) for name in HASHED_COLUMNS}
    payload = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(payload).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainReport:
    """What `verify_chain` found: how many rows it checked and the first broken one, if any."""

    checked: int
    first_bad_seq: int | None = None
    first_bad_id: str | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


_BATCH = 2000


async def verify_chain(
    connection: AsyncConnection, *, schema: str = "admins", table: str = "audit_events"
) -> ChainReport:
    """Recompute every hash in `seq` order (keyset batches, constant memory)."""
    columns = ", ".join(("seq", "hash", *HASHED_COLUMNS))
    query = text(
        f'SELECT {columns} FROM "{schema}"."{table}" WHERE seq > :after ORDER BY seq LIMIT :n'  # noqa: S608 - identifiers are ours
    )
    previous, after, checked = GENESIS, 0, 0
    while True:
        rows = (await connection.execute(query, {"after": after, "n": _BATCH})).mappings().all()
        if not rows:
            return ChainReport(checked=checked)
        for row in rows:
            bad = None
            if row["prev_hash"] != previous:
                bad = "prev_hash does not match the previous event (a row was removed or edited)"
            elif event_hash(dict(row)) != row["hash"]:
                bad = "hash does not match the content (the row was edited)"
            if bad is not None:
                return ChainReport(checked, int(row["seq"]), str(row["id"]), bad)
            previous, after, checked = row["hash"], int(row["seq"]), checked + 1
