"""Recording audit events from a subgraph: the trail object, its app hooks, its schema extension.

See `subgraphs.kit.audit` for the design and how a subgraph adopts it. In short:
`audit_hooks(...)` starts the outbox relay and puts an `AuditTrail` on `app.state.audit`;
`AuditOperations` (installed by `build_schema`) records every mutation and every read of the
types a trail declares sensitive; resolvers that change data write their event in the change's
own transaction with ``async with audit_trail(info).write(ctx, action, target_type=...)``.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypedDict, TypeVar

from fastapi import FastAPI
from graphql import GraphQLError
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.extensions import SchemaExtension
from strawberry.types import Info

from subgraphs.kit.audit import AuditEvent, outcome_of
from subgraphs.kit.audit_relay import Deliver, OutboxRelay, deliver_to_admins
from subgraphs.kit.context import RequestContext
from subgraphs.kit.service_client import ServiceClient

__all__ = [
    "AuditHooks",
    "AuditNote",
    "AuditOperations",
    "AuditTrail",
    "ReadTarget",
    "audit_hooks",
    "audit_trail",
    "create_audited",
    "not_audited",
    "note_not_found",
]

_log = logging.getLogger("predicthealth.audit")

Hook = Callable[[FastAPI], Awaitable[None]]


class AuditHooks(TypedDict):
    """What `audit_hooks` returns: spread it into a SubgraphDefinition."""

    on_startup: Hook
    on_shutdown: Hook


@dataclass(frozen=True, slots=True)
class ReadTarget:
    """A GraphQL type whose field reads are audited: what it is about and how to get its id."""

    target_type: str
    id_of: Callable[[Any], object]


@dataclass(slots=True)
class AuditNote:
    """What a write touched; filled in while the write runs (ids are often known only then)."""

    target_ids: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def target(self, *ids: object) -> None:
        self.target_ids.extend(str(i) for i in ids)


@dataclass(slots=True)
class _RequestAudit:
    """Reads gathered while one operation executes, written as one event per target type."""

    reads: dict[str, tuple[set[str], set[str]]] = field(default_factory=dict)
    #: Ids asked for but not answered (absent, or not the caller's to see), per target type.
    misses: dict[str, set[str]] = field(default_factory=dict)


@dataclass(slots=True)
class _MutationMark:
    covered: bool = False


_CURRENT_MUTATION: contextvars.ContextVar[_MutationMark | None] = contextvars.ContextVar(
    "audit_mutation", default=None
)


class AuditTrail:
    """Writes one subgraph's events to its outbox and wakes the relay."""

    def __init__(
        self,
        service: str,
        outbox: type[Any],
        relay: OutboxRelay | None = None,
        read_targets: Mapping[str, ReadTarget] | None = None,
    ) -> None:
        self.service = service
        self.outbox = outbox
        self.relay = relay
        self.read_targets = dict(read_targets or {})

    def event(
        self,
        ctx: RequestContext,
        action: str,
        *,
        outcome: str = "success",
        target_type: str | None = None,
        target_ids: Iterable[object] = (),
        fields: Iterable[str] = (),
        details: Mapping[str, Any] | None = None,
    ) -> AuditEvent:
        """An event stamped with the caller, session, request id and address of `ctx`."""
        principal = ctx.principal
        return AuditEvent(
            service=self.service,
            action=action,
            outcome=outcome,
            actor_user_id=principal.user_id,
            actor_role=None if principal.role is None else principal.role.value,
            session_id=principal.session_id,
            request_id=ctx.request_id or None,
            ip=ctx.client_ip,
            target_type=target_type,
            target_ids=tuple(str(i) for i in target_ids),
            fields=tuple(fields),
            details=dict(details or {}),
        )

    def add(self, session: AsyncSession, event: AuditEvent) -> None:
        """Queue `event` in the caller's transaction: it commits (or vanishes) with the change."""
        session.add(self.outbox(**event.columns()))

    async def record(self, event: AuditEvent, ctx: RequestContext) -> None:
        """Write `event` in a short transaction of its own (reads, and failed writes)."""
        await self.record_all([event], ctx)

    async def record_all(self, events: Sequence[AuditEvent], ctx: RequestContext) -> None:
        """Write `events` together, committed (durably) before this returns."""
        # Shielded: a client that disconnects must not cancel the record of what it did.
        await asyncio.shield(self._record(events, ctx))

    async def _record(self, events: Sequence[AuditEvent], ctx: RequestContext) -> None:
        # One INSERT that commits as it completes: a round trip, where a unit of work was four
        # (BEGIN, INSERT … RETURNING, COMMIT, and the ORM's bookkeeping around them).
        # Rows as parameters (not `.values(rows)`): the statement compiles once per process, and
        # several rows still go as one multi-row INSERT (SQLAlchemy's "insertmanyvalues").
        rows = [event.columns() for event in events]
        async with ctx.statement() as session:
            await session.execute(insert(self.outbox.__table__), rows)
        self.wake()

    async def record_quietly(self, event: AuditEvent, ctx: RequestContext) -> None:
        """`record`, logging instead of raising: never hide the failure being recorded, nor
        report a committed change as failed because its after-the-fact record could not go."""
        try:
            await self.record(event, ctx)
        except Exception:  # noqa: BLE001 - see the docstring
            _log.exception("could not record audit event %s (%s)", event.action, event.outcome)

    def wake(self) -> None:
        if self.relay is not None:
            self.relay.wake()

    def session(
        self, ctx: RequestContext, action: str, *, target_type: str, note: AuditNote
    ) -> AbstractAsyncContextManager[AsyncSession]:
        """A write unit of work that also commits the success event, or records the failure."""
        return self._unit(ctx, action, target_type, note)

    @asynccontextmanager
    async def _unit(
        self, ctx: RequestContext, action: str, target_type: str, note: AuditNote
    ) -> AsyncIterator[AsyncSession]:
        mark = _CURRENT_MUTATION.get()
        if mark is not None:
            mark.covered = True
        try:
            async with ctx.write() as session:
                yield session
                self.add(session, self._event(ctx, action, target_type, note, "success"))
        except BaseException as exc:
            outcome = outcome_of(exc)
            await self.record_quietly(self._event(ctx, action, target_type, note, outcome), ctx)
            raise
        self.wake()

    def _event(
        self, ctx: RequestContext, action: str, target_type: str, note: AuditNote, outcome: str
    ) -> AuditEvent:
        return self.event(
            ctx, action, outcome=outcome, target_type=target_type,
            target_ids=note.target_ids, fields=note.fields, details=note.details,
        )  # fmt: skip

    @asynccontextmanager
    async def write(
        self,
        ctx: RequestContext,
        action: str,
        *,
        target_type: str,
        target_ids: Iterable[object] = (),
        fields: Iterable[str] = (),
    ) -> AsyncIterator[tuple[AsyncSession, AuditNote]]:
        """``async with trail.write(ctx, "patient.update", target_type="patient") as (s, note)``."""
        note = AuditNote(target_ids=[str(i) for i in target_ids], fields=list(fields))
        async with self.session(ctx, action, target_type=target_type, note=note) as session:
            yield session, note


def not_audited() -> None:
    """Tell the running mutation's recorder to write nothing (for the audit store's own intake)."""
    mark = _CURRENT_MUTATION.get()
    if mark is not None:
        mark.covered = True


def note_not_found(info: Info[Any, Any], target_type: str, target_id: object) -> None:
    """Record that this request asked for a record it did not get (a read attempt is worth
    auditing too); written with the request's reads, as one `<type>.read` event, `not_found`."""
    if _trail_of(info.context) is None:
        return
    store: _RequestAudit = info.context.extras.setdefault("audit", _RequestAudit())
    store.misses.setdefault(target_type, set()).add(str(target_id))


def audit_trail(info: Info[Any, Any]) -> AuditTrail:
    """The trail of the app serving this request."""
    trail = _trail_of(info.context)
    if trail is None:
        raise RuntimeError("this subgraph has no audit trail; see subgraphs.kit.audit")
    return trail


def _trail_of(context: Any) -> AuditTrail | None:
    request = getattr(context, "request", None)
    app = None if request is None else request.scope.get("app")
    trail = None if app is None else getattr(app.state, "audit", None)
    return trail if isinstance(trail, AuditTrail) else None


class AuditOperations(SchemaExtension):
    """Records every mutation (unless its resolver wrote its own event) and audited reads.

    Inert in an app without a trail, so every subgraph's schema can carry it."""

    _trail: AuditTrail | bool | None = False  # False: not looked up yet (one lookup per operation)

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: Any, *args: Any, **kwargs: Any
    ) -> Any:
        if self._trail is False:
            self._trail = _trail_of(info.context)
        trail = self._trail
        if not isinstance(trail, AuditTrail):
            return _next(root, info, *args, **kwargs)
        parent = info.parent_type.name
        mutation_type = info.schema.mutation_type
        if mutation_type is not None and parent == mutation_type.name:
            return self._mutation(trail, _next, root, info, args, kwargs)
        target = trail.read_targets.get(parent)
        result = _next(root, info, *args, **kwargs)
        if target is None:
            return result
        if inspect.isawaitable(result):
            return self._after(result, info, target, root)
        self._note_read(info, target, root)
        return result

    async def _after(self, result: Awaitable[Any], info: Any, target: ReadTarget, root: Any) -> Any:
        value = await result
        self._note_read(info, target, root)
        return value

    def _note_read(self, info: Any, target: ReadTarget, root: Any) -> None:
        if info.field_name.startswith("__"):
            return
        store: _RequestAudit = info.context.extras.setdefault("audit", _RequestAudit())
        ids, names = store.reads.setdefault(target.target_type, (set(), set()))
        ids.add(str(target.id_of(root)))
        names.add(f"{info.parent_type.name}.{info.field_name}")

    async def _mutation(
        self,
        trail: AuditTrail,
        _next: Callable[..., Any],
        root: Any,
        info: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        mark = _MutationMark()
        token = _CURRENT_MUTATION.set(mark)
        outcome = "success"
        try:
            result = _next(root, info, *args, **kwargs)
            return await result if inspect.isawaitable(result) else result
        except BaseException as exc:
            outcome = outcome_of(exc)
            raise
        finally:
            _CURRENT_MUTATION.reset(token)
            if not mark.covered:
                event = trail.event(
                    info.context, f"mutation.{info.field_name}", outcome=outcome,
                    details={"arguments": sorted(kwargs)},
                )  # fmt: skip
                await trail.record_quietly(event, info.context)

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        trail = _trail_of(context)
        store = None if trail is None else context.extras.get("audit")
        if trail is None or not isinstance(store, _RequestAudit):
            return
        events = [
            trail.event(context, f"{kind}.read", target_type=kind, target_ids=sorted(ids),
                        fields=sorted(names))
            for kind, (ids, names) in store.reads.items()
        ] + [
            trail.event(context, f"{kind}.read", outcome="not_found", target_type=kind,
                        target_ids=sorted(ids))
            for kind, ids in store.misses.items()
        ]  # fmt: skip
        if not events:
            return
        try:
            await trail.record_all(events, context)
        except Exception:  # noqa: BLE001 - fail closed: no record, no patient data
            _log.exception(
                "could not record %s",
                ", ".join(f"{e.action} of {len(e.target_ids)} rows" for e in events),
            )
            result = self.execution_context.result
            if result is not None:
                result.data = None
                result.errors = [
                    GraphQLError(
                        "The audit trail is unavailable; the data was withheld",
                        extensions={"code": "SERVICE_UNAVAILABLE"},
                    )
                ]


def audit_hooks(
    service: str,
    outbox: type[Any],
    *,
    on_startup: Hook | None = None,
    on_shutdown: Hook | None = None,
    read_targets: Mapping[str, ReadTarget] | None = None,
    deliver: Callable[[FastAPI], Deliver] | None = None,
    interval: float = 0.5,
) -> AuditHooks:
    """`on_startup`/`on_shutdown` for a SubgraphDefinition: the subgraph's own hooks, plus the
    trail (`app.state.audit`) and its relay (to the admins subgraph unless `deliver` says else)."""

    async def start(app: FastAPI) -> None:
        if on_startup is not None:
            await on_startup(app)
        client = ServiceClient(app.state.settings)
        app.state.audit_client = client
        send = deliver(app) if deliver is not None else deliver_to_admins(client)
        relay = OutboxRelay(app.state.sessions, outbox, send, interval=interval)
        app.state.audit = AuditTrail(service, outbox, relay, read_targets)
        relay.start()

    async def stop(app: FastAPI) -> None:
        try:
            await app.state.audit.relay.stop()
            await app.state.audit_client.close()
        finally:
            if on_shutdown is not None:
                await on_shutdown(app)

    return AuditHooks(on_startup=start, on_shutdown=stop)


T = TypeVar("T")
WriteUnit = Callable[[], AbstractAsyncContextManager[AsyncSession]]


async def create_audited(
    info: Info[Any, Any],
    action: str,
    target_type: str,
    fields: list[str],
    create: Callable[[WriteUnit, AuditNote], Awaitable[T]],
) -> T:
    """Run a create whose write unit (opened only once the checks pass) commits its event; a
    refusal before that unit opens is recorded under the same action."""
    ctx, trail = info.context, audit_trail(info)
    note = AuditNote(fields=fields)
    opened = False

    def unit() -> AbstractAsyncContextManager[AsyncSession]:
        nonlocal opened
        opened = True
        return trail.session(ctx, action, target_type=target_type, note=note)

    try:
        return await create(unit, note)
    except Exception as exc:
        if not opened:  # the unit records its own failures; this one never began
            not_audited()
            event = trail.event(ctx, action, outcome=outcome_of(exc), target_type=target_type,
                                target_ids=note.target_ids, fields=note.fields)  # fmt: skip
            await trail.record_quietly(event, ctx)
        raise
