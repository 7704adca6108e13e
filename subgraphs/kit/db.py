"""Async SQLAlchemy on asyncpg: one pooled engine per process, one PostgreSQL schema per subgraph."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, event, func
from sqlalchemy.exc import IntegrityError, InvalidatePoolError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.util import await_

from subgraphs.kit.settings import Settings

__all__ = [
    "ConstraintViolation",
    "TimestampMixin",
    "autocommit_session_factory",
    "create_engine",
    "flush",
    "make_base",
    "new_id",
    "session_factory",
    "transaction",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_base(schema: str) -> type[DeclarativeBase]:
    """A declarative base whose tables all live in the subgraph's own PostgreSQL schema."""

    class Base(DeclarativeBase):
        metadata = MetaData(schema=schema, naming_convention=NAMING_CONVENTION)

    return Base


def new_id() -> uuid.UUID:
    return uuid.uuid4()


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


def create_engine(settings: Settings, *, schema: str, database_url: str) -> AsyncEngine:
    """A pooled asyncpg engine whose connections resolve unqualified names in `schema` first;
    a pooled connection is pinged before each use (`_ping_on_checkout`)."""
    engine = create_async_engine(
        database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        connect_args={
            "server_settings": {
                "search_path": f"{schema},public",
                "statement_timeout": str(settings.db_statement_timeout_ms),
                "application_name": f"predicthealth-{schema}",
                # Plan every execution with its own parameter values. After five runs PostgreSQL
                # may keep a generic plan for a prepared statement (asyncpg prepares them all),
                # and for a name search (`name_key LIKE fold($1)`, trigram-indexed) the generic
                # plan is slower: 17 -> 11 ms p50, 28 -> 20 ms p95 for the patient name search
                # on ph_bench; first pages and lookups by id plan in well under 0.1 ms.
                "plan_cache_mode": "force_custom_plan",
            },
            "timeout": 10,
        },
    )
    event.listen(engine.sync_engine.pool, "checkin", _note_checkin)
    event.listen(engine.sync_engine.pool, "checkout", _ping_on_checkout)
    return engine


_USED = "predicthealth.used"


def _note_checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[_USED] = True


def _ping_on_checkout(_dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
    """SQLAlchemy's `pool_pre_ping`, in one round trip instead of three.

    Its asyncpg ping wraps the empty statement in BEGIN … ROLLBACK (for PgBouncer's transaction
    mode, which we do not use): three round trips on every checkout, and a request checks out
    two or three connections. The same check, the same consequence: a connection that does not
    answer invalidates the pool, and the checkout carries on with a new one. A connection
    opened for this checkout has just answered, so it is not pinged (as `pool_pre_ping`)."""
    if not record.info.get(_USED):
        return
    try:
        await_(record.driver_connection.fetchrow(";"))  # type: ignore[union-attr]
    except Exception as exc:
        raise InvalidatePoolError(f"ping failed: {exc!r}") from exc


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def autocommit_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose every statement is its own transaction, committed when it completes.

    For reads and for writes of a single statement: no BEGIN before and no ROLLBACK/COMMIT
    after, two round trips fewer per unit of work. Under READ COMMITTED (ours) each statement
    of a transaction takes its own snapshot anyway, so a read sees what it saw inside
    BEGIN … ROLLBACK. Never for a write of several statements that must commit together."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        expire_on_commit=False,
        autoflush=False,
    )


@asynccontextmanager
async def transaction(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: committed when the block succeeds, rolled back when it raises."""
    async with factory() as session, session.begin():
        yield session


class ConstraintViolation(Exception):
    """The database refused a write; `constraint` names the rule (services map it to a field)."""

    def __init__(self, constraint: str) -> None:
        super().__init__(constraint)
        self.constraint = constraint


def _constraint_of(exc: IntegrityError) -> str:
    # asyncpg puts the constraint on its exception, which SQLAlchemy wraps (or chains).
    for candidate in (getattr(exc.orig, "__cause__", None), exc.orig):
        name = getattr(candidate, "constraint_name", None)
        if name:
            return str(name)
    return "unknown"


async def flush(session: AsyncSession) -> None:
    """Flush, turning an integrity error into a ConstraintViolation naming the constraint."""
    try:
        await session.flush()
    except IntegrityError as exc:
        raise ConstraintViolation(_constraint_of(exc)) from exc
