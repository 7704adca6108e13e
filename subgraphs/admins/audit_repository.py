"""SQL of the audit log: the chain head under its lock, idempotent appends, filtered pages."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.admins.models import AuditEvent
from subgraphs.kit.audit_chain import GENESIS

__all__ = [
    "AuditFilter",
    "existing_ids",
    "get_event",
    "head_hash",
    "insert",
    "lock_chain",
    "search",
]

#: One lock key for the whole chain: appends are serialized, reads never wait for it.
_CHAIN_LOCK = "predicthealth.admins.audit_chain"


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Every field narrows the result; None means "any"."""

    actor_user_id: uuid.UUID | None = None
    actor_role: str | None = None
    action: str | None = None
    service: str | None = None
    outcome: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def lock_chain(session: AsyncSession) -> None:
    """Held until the transaction ends, so the head read next cannot move under us."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": _CHAIN_LOCK})


async def head_hash(session: AsyncSession) -> str:
    query = select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    return (await session.scalar(query)) or GENESIS


async def existing_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    query = select(AuditEvent.id).where(AuditEvent.id.in_(ids))
    return set((await session.scalars(query)).all())


async def insert(session: AsyncSession, rows: Sequence[AuditEvent]) -> None:
    session.add_all(rows)
    await session.flush()


async def get_event(session: AsyncSession, event_id: uuid.UUID) -> AuditEvent | None:
    query = select(AuditEvent).where(AuditEvent.id == event_id)
    return (await session.scalars(query)).one_or_none()


def _conditions(where: AuditFilter) -> list[Any]:
    found: list[Any] = []
    if where.actor_user_id is not None:
        found.append(AuditEvent.actor_user_id == where.actor_user_id)
    if where.actor_role is not None:
        found.append(AuditEvent.actor_role == where.actor_role)
    if where.action is not None:
        # "patient.*" selects a family of actions.
        if where.action.endswith("*"):
            found.append(AuditEvent.action.startswith(where.action[:-1], autoescape=True))
        else:
            found.append(AuditEvent.action == where.action)
    if where.service is not None:
        found.append(AuditEvent.service == where.service)
    if where.outcome is not None:
        found.append(AuditEvent.outcome == where.outcome)
    if where.target_type is not None:
        found.append(AuditEvent.target_type == where.target_type)
    if where.target_id is not None:
        # Served by the GIN index on target_ids.
        found.append(AuditEvent.target_ids.contains([where.target_id]))
    if where.since is not None:
        found.append(AuditEvent.occurred_at >= where.since)
    if where.until is not None:
        found.append(AuditEvent.occurred_at < where.until)
    return found


async def search(
    session: AsyncSession, where: AuditFilter, *, before_seq: int | None, limit: int
) -> Sequence[AuditEvent]:
    """Newest first, keyset on `seq` (no OFFSET)."""
    query = select(AuditEvent).where(*_conditions(where))
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)
    return (await session.scalars(query.order_by(AuditEvent.seq.desc()).limit(limit))).all()
