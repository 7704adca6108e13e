"""Audit events of the auth subgraph's mutations, written in the transaction that makes the change.

Auth's services open their own units of work (several per mutation at times: a login reads, checks
a password outside any transaction, then writes), so the resolver starts an `AuthAudit` for the
mutation and the service writes through `audited(ctx).write()` instead of `ctx.write()`: the first
such write that commits carries the event. A service that decides on a refusal inside a committed
write (a failed login, a reused refresh token) sets `outcome` before the block ends. Whatever was
not written that way is recorded on its own: failures (`outcome_of`), and changes made outside
`ctx.write()` (key rotation). Event details never hold passwords or tokens.
"""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from subgraphs.kit.access import context_of
from subgraphs.kit.audit import AuditEvent, outcome_of
from subgraphs.kit.audit_trail import AuditNote, AuditTrail, audit_trail, not_audited
from subgraphs.kit.context import RequestContext

__all__ = ["AuthAudit", "audited", "run_audited"]

T = TypeVar("T")

_CURRENT: contextvars.ContextVar[AuthAudit | None] = contextvars.ContextVar(
    "auth_audit", default=None
)


@dataclass(slots=True)
class AuthAudit:
    """One mutation's event: what it touched, its outcome so far, and whether it is written."""

    ctx: RequestContext
    action: str
    trail: AuditTrail | None = None
    target_type: str = "user"
    note: AuditNote = field(default_factory=AuditNote)
    outcome: str = "success"
    written: bool = False

    def event(self, outcome: str | None = None) -> AuditEvent:
        assert self.trail is not None
        return self.trail.event(
            self.ctx, self.action, outcome=outcome or self.outcome, target_type=self.target_type,
            target_ids=self.note.target_ids, fields=self.note.fields, details=self.note.details,
        )  # fmt: skip

    def target(self, *ids: object) -> None:
        """Name what the mutation touches (each id once, however many steps name it)."""
        self.note.target(*(i for i in dict.fromkeys(str(i) for i in ids)
                           if i not in self.note.target_ids))  # fmt: skip

    def refuse(self, outcome: str, reason: str) -> None:
        """The mutation fails, but what this write records (a lockout count, a revocation)
        commits: so does the event, with this outcome."""
        self.outcome = outcome
        self.note.details["reason"] = reason

    def add(self, session: AsyncSession) -> None:
        """Put the event into `session`'s transaction (once); for writes not made by `write()`."""
        if self.trail is not None and not self.written:
            self.trail.add(session, self.event())
            self.written = True

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """`ctx.write()` whose commit also carries this mutation's event."""
        already = self.written
        try:
            async with self.ctx.write() as session:
                yield session
                self.add(session)
        except BaseException:
            self.written = already  # rolled back: the event did not commit either
            raise
        if self.trail is not None and not already:
            self.trail.wake()


def audited(ctx: RequestContext) -> AuthAudit:
    """The running mutation's audit (a trail-less one outside a mutation: writes still work)."""
    current = _CURRENT.get()
    return current if current is not None else AuthAudit(ctx, "")


async def run_audited(
    info: Info[Any, Any],
    action: str,
    run: Callable[[], Awaitable[T]],
    *,
    target_ids: Iterable[object] = (),
) -> T:
    """Run a mutation's service call with its `AuthAudit`; record what it did not write itself."""
    ctx = context_of(info)
    audit = AuthAudit(ctx, action, audit_trail(info))
    audit.target(*target_ids)
    not_audited()  # this resolver writes its own event: the generic mutation record is not needed
    token = _CURRENT.set(audit)
    try:
        result = await run()
    except BaseException as exc:
        if not audit.written and audit.trail is not None:
            await audit.trail.record_quietly(audit.event(outcome_of(exc)), ctx)
        raise
    finally:
        _CURRENT.reset(token)
    if not audit.written and audit.trail is not None:
        await audit.trail.record_quietly(audit.event(), ctx)
    return result
