"""The typed per-request context: database access, principal, Redis, fresh dataloaders, request id."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.fastapi import BaseContext

from subgraphs.kit.principal import ANONYMOUS, Principal
from subgraphs.kit.settings import Settings

__all__ = ["RequestContext", "last_step"]


_LAST_STEPS = "predicthealth.last_steps"


def last_step(session: AsyncSession, step: Callable[[], Awaitable[None]]) -> None:
    """Run `step` as the last thing before the unit of work started by `RequestContext.write`
    commits: once every row is flushed, so only COMMIT itself can fail after it."""
    session.info.setdefault(_LAST_STEPS, []).append(step)


@dataclass(kw_only=True)
class RequestContext(BaseContext):
    """What a resolver may touch. Sessions are short-lived: resolvers of one request run
    concurrently, and an AsyncSession must not be shared between concurrent tasks."""

    sessions: async_sessionmaker[AsyncSession]
    #: Statement-at-a-time sessions (`kit.db.autocommit_session_factory`); None: `sessions`.
    autocommit: async_sessionmaker[AsyncSession] | None = None
    redis: Redis
    settings: Settings
    principal: Principal = ANONYMOUS
    request_id: str = ""
    client_ip: str | None = None
    user_agent: str | None = None
    loaders: Any = None
    extras: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only unit of work (each statement its own transaction, when available)."""
        async with (self.autocommit or self.sessions)() as session:
            yield session

    @asynccontextmanager
    async def statement(self) -> AsyncIterator[AsyncSession]:
        """A write of ONE statement, committed when it completes (or when the block ends)."""
        if self.autocommit is not None:
            async with self.autocommit() as session:
                yield session
        else:
            async with self.sessions() as session, session.begin():
                yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A unit of work committed at the edge: all of it, or (on any exception) none of it.

        Steps registered with `last_step` run after everything else was flushed (the audit
        event too), just before COMMIT: for effects elsewhere that cannot be undone."""
        async with self.sessions() as session, session.begin():
            yield session
            steps = session.info.pop(_LAST_STEPS, [])
            if steps:
                await session.flush()
                for step in steps:
                    await step()
