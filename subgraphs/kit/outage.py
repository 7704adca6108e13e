"""Tell an unreachable PostgreSQL or Redis apart from a bug: the caller may retry the former."""

from __future__ import annotations

from types import TracebackType

import asyncpg  # type: ignore[import-untyped]
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

__all__ = ["is_outage"]

# Always an outage, wherever raised.
_SERVER_GONE: tuple[type[BaseException], ...] = (
    PoolTimeout,  # every pooled connection busy or broken for pool_timeout seconds
    RedisConnectionError,
    RedisTimeoutError,
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08
    asyncpg.CannotConnectNowError,  # 57P03: starting up / shutting down
    asyncpg.AdminShutdownError,  # 57P01
    asyncpg.CrashShutdownError,  # 57P02
)
# Connection refused/reset, connect timeout: an outage only when the database or Redis client
# raised it (the same types raised by our own code are bugs or handled elsewhere).
_NETWORK: tuple[type[BaseException], ...] = (OSError, TimeoutError)
_CLIENT_MODULES = ("asyncpg", "sqlalchemy", "redis", "asyncio", "uvloop", "socket", "ssl")


def _raised_by_a_client(traceback: TracebackType | None) -> bool:
    innermost = None
    while traceback is not None:
        innermost, traceback = traceback, traceback.tb_next
    if innermost is None:
        return False
    module = str(innermost.tb_frame.f_globals.get("__name__", ""))
    return module.split(".", maxsplit=1)[0] in _CLIENT_MODULES


def is_outage(error: BaseException) -> bool:
    """True when `error`, or an exception it wraps, says PostgreSQL or Redis is unreachable."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _SERVER_GONE):
            return True
        if isinstance(current, _NETWORK) and _raised_by_a_client(current.__traceback__):
            return True
        if isinstance(current, DBAPIError):
            if current.connection_invalidated:
                return True
            if isinstance(current.orig, BaseException) and is_outage(current.orig):
                return True
        current = current.__cause__
    return False
