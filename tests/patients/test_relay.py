"""The kit's audit pieces on their own: the outbox mixin, the relay's retry bookkeeping, and the
hash's independence from how an instant is spelled."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta, timezone

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from subgraphs.kit.audit import AuditEvent, AuditOutboxMixin
from subgraphs.kit.audit_chain import GENESIS, event_hash
from subgraphs.kit.audit_relay import OutboxRelay
from subgraphs.kit.db import make_base
from tests.support.infra import TestInfra

ScratchBase = make_base("audit_scratch")


class ScratchOutbox(AuditOutboxMixin, ScratchBase):  # type: ignore[misc,valid-type]
    """An outbox of a pretend subgraph: adopting the trail is this class plus its table."""

    __tablename__ = "audit_outbox"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def scratch(infra: TestInfra) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(infra.database_url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS audit_scratch CASCADE"))
        await conn.execute(text("CREATE SCHEMA audit_scratch"))
        await conn.run_sync(ScratchBase.metadata.create_all)
    try:
        yield engine
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA audit_scratch CASCADE"))
        await engine.dispose()


class Store:
    """A delivery target that is down for the first `outages` attempts."""

    def __init__(self, outages: int) -> None:
        self.outages = outages
        self.received: list[AuditEvent] = []

    async def deliver(self, events: Sequence[AuditEvent]) -> None:
        if self.outages:
            self.outages -= 1
            raise ConnectionError("admins is down")
        self.received.extend(events)


@pytest.mark.asyncio(loop_scope="session")
async def test_relay_keeps_events_until_delivered(scratch: AsyncEngine) -> None:
    sessions = async_sessionmaker(scratch, expire_on_commit=False)
    events = [
        AuditEvent(service="scratch", action=f"thing.{i}", target_ids=(str(i),)) for i in range(5)
    ]
    async with sessions() as session, session.begin():
        session.add_all(ScratchOutbox(**e.columns()) for e in events)
    store = Store(outages=2)
    relay = OutboxRelay(sessions, ScratchOutbox, store.deliver, batch=3)
    for _ in range(2):
        with pytest.raises(ConnectionError):
            await relay.drain()
    assert await relay.pending() == 5
    async with scratch.connect() as conn:
        attempts = (await conn.scalars(text("SELECT attempts FROM audit_scratch.audit_outbox "
                                            "ORDER BY seq"))).all()  # fmt: skip
    assert attempts == [2, 2, 2, 0, 0]  # only the first batch was tried
    assert await relay.drain() == 5
    assert [e.id for e in store.received] == [e.id for e in events]  # in order, once
    assert await relay.pending() == 0
    assert await relay.drain() == 0


def test_hash_ignores_the_spelling_of_an_instant() -> None:
    instant = datetime(2024, 2, 29, 12, 30, 15, 123456, tzinfo=UTC)
    base = {"id": uuid.uuid4(), "service": "s", "action": "a", "outcome": "success",
            "target_ids": ["1"], "fields": [], "details": {"b": 1, "a": [1, 2]},
            "prev_hash": GENESIS}  # fmt: skip
    mexico = instant.astimezone(timezone(timedelta(hours=-6)))
    assert event_hash({**base, "occurred_at": instant}) == event_hash(
        {**base, "occurred_at": mexico}
    )
    assert event_hash({**base, "occurred_at": instant}) != event_hash(
        {**base, "occurred_at": instant, "prev_hash": "1" * 64}
    )
    reordered = {**base, "details": {"a": [1, 2], "b": 1}, "occurred_at": instant}
    assert event_hash(reordered) == event_hash({**base, "occurred_at": instant})
