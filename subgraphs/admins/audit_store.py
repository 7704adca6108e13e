"""The audit log's rules: service-only, idempotent, hash-chained appends; admin-only reading."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.admins import audit_repository as repository
from subgraphs.admins.audit_repository import AuditFilter
from subgraphs.admins.models import AuditEvent as StoredEvent
from subgraphs.kit.audit import OUTCOMES, AuditEvent
from subgraphs.kit.audit_chain import event_hash
from subgraphs.kit.errors import Forbidden, Invalid, NotFound
from subgraphs.kit.keyset import Page, page_request
from subgraphs.kit.principal import Principal, Role

__all__ = ["Appended", "append", "append_events", "get_event", "search_events"]

_SORT = "seq:desc"
MAX_BATCH = 1000


@dataclass(frozen=True, slots=True)
class Appended:
    appended: int
    duplicates: int


def _check(event: AuditEvent) -> None:
    if event.outcome not in OUTCOMES:
        raise Invalid("outcome", f"must be one of {', '.join(OUTCOMES)}")
    if not event.action or len(event.action) > 80:
        raise Invalid("action", "must be 1-80 characters")
    if event.occurred_at.tzinfo is None:
        raise Invalid("occurredAt", "must carry a time zone")


async def append(session: AsyncSession, events: Sequence[AuditEvent]) -> Appended:
    """Append in the given order under the chain lock; ids already stored are skipped, so a
    relay retrying a batch whose answer it lost appends nothing twice."""
    for event in events:
        _check(event)
    await repository.lock_chain(session)
    seen = await repository.existing_ids(session, [e.id for e in events])
    previous = await repository.head_hash(session)
    rows: list[StoredEvent] = []
    for event in events:
        if event.id in seen:
            continue
        seen.add(event.id)
        values = event.columns()
        # What PostgreSQL will hand back: UTC, microseconds; the hash must match that spelling.
        values["occurred_at"] = event.occurred_at.astimezone(UTC)
        values["prev_hash"] = previous
        values["hash"] = previous = event_hash(values)
        rows.append(StoredEvent(**values))
    await repository.insert(session, rows)
    return Appended(appended=len(rows), duplicates=len(events) - len(rows))


async def append_events(
    session: AsyncSession, principal: Principal, events: Sequence[AuditEvent]
) -> Appended:
    """Only subgraphs (the service credential) deliver events; nobody edits or deletes them."""
    if not principal.has_role(Role.SERVICE):
        raise Forbidden("Only services may append audit events")
    if len(events) > MAX_BATCH:
        raise Invalid("events", f"at most {MAX_BATCH} per call")
    return await append(session, events)


def _require_auditor(principal: Principal) -> None:
    if "read:audit" not in principal.scopes:
        raise Forbidden("Only administrators may read the audit log")


async def search_events(
    session: AsyncSession,
    principal: Principal,
    where: AuditFilter,
    *,
    first: int,
    after: str | None,
) -> Page[StoredEvent]:
    _require_auditor(principal)
    if where.since is not None and where.until is not None and where.since >= where.until:
        raise Invalid("since", "must be before until")
    request = page_request(first, after, sort=_SORT, arity=1)
    before = None if request.after is None else int(request.after.key[0])
    rows = await repository.search(session, where, before_seq=before, limit=request.first + 1)
    return Page.build(rows, request, sort=_SORT, key_of=lambda row: (row.seq,))


async def get_event(
    session: AsyncSession, principal: Principal, event_id: uuid.UUID
) -> StoredEvent:
    _require_auditor(principal)
    row = await repository.get_event(session, event_id)
    if row is None:
        raise NotFound("Audit event not found")
    return row
