"""Revocations: PostgreSQL is the truth, Redis the fast mirror every subgraph reads.

The mirror holds one key per revoked session (`sid`) or access token (`jti`), expiring when the
last token it covers would have expired anyway, and a ready marker written after a full resync:
readers treat a missing marker (Redis restarted or flushed) as "ask the auth service".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from subgraphs.auth import repository
from subgraphs.kit.auth import revocation_keys
from subgraphs.kit.settings import Settings

__all__ = ["DatabaseRevocationChecker", "Revocation", "RevocationMirror"]

_log = logging.getLogger("predicthealth.auth.revocation")
#: How often the mirror is rebuilt from the database (heals a Redis restart or a missed write).
RESYNC_EVERY = 30.0
RETRY_AFTER_FAILURE = 1.0
#: Ended sessions stay listed in the database (for support and audits) this long.
SESSION_HISTORY = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Revocation:
    session_id: uuid.UUID | None
    jti: str | None
    expires_at: datetime


class RevocationMirror:
    """Writes revocations to Redis right after they commit, and rebuilds the mirror (and prunes
    dead rows) on a timer."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], redis: Redis, settings: Settings
    ) -> None:
        self.sessions = sessions
        self.redis = redis
        self.sid_prefix, self.jti_prefix, self.ready_key = revocation_keys(settings)
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    def _key(self, entry: Revocation) -> str:
        if entry.session_id is not None:
            return f"{self.sid_prefix}{entry.session_id}"
        return f"{self.jti_prefix}{entry.jti}"

    async def _write(self, entries: Sequence[Revocation]) -> None:
        now_ms = int(datetime.now(UTC).timestamp() * 1000)
        async with self.redis.pipeline(transaction=False) as pipe:
            for entry in entries:
                expires_ms = int(entry.expires_at.timestamp() * 1000)
                if expires_ms > now_ms:
                    pipe.set(self._key(entry), "1", pxat=expires_ms)
            await pipe.execute()

    async def publish(self, entries: Sequence[Revocation]) -> None:
        if not entries:
            return
        try:
            await self._write(entries)
        except (RedisError, OSError):
            # The database has it; readers that cannot reach Redis ask us. Heal the mirror soon.
            _log.warning("could not mirror %d revocation(s) to Redis", len(entries))
            self._wake.set()

    async def resync(self) -> None:
        """Copy every still-relevant revocation to Redis, then mark the mirror complete."""
        now = datetime.now(UTC)
        async with self.sessions() as session:
            rows = await repository.live_revocations(session, now)
        await self._write([Revocation(r.session_id, r.jti, r.expires_at) for r in rows])
        await self.redis.set(self.ready_key, now.isoformat())

    async def prune(self) -> None:
        """Housekeeping on the same timer: forget rows no token can depend on any more."""
        now = datetime.now(UTC)
        async with self.sessions() as session, session.begin():
            await repository.prune(session, now, now - SESSION_HISTORY)

    async def _loop(self) -> None:
        while True:
            healthy = False
            try:
                await self.prune()
                await self.resync()
                healthy = True
            except (RedisError, OSError):
                _log.warning("revocation mirror resync failed; readers use the auth service")
            except Exception:  # noqa: BLE001 - a database hiccup must not end the loop
                _log.exception("revocation mirror resync failed")
            self._wake.clear()
            # After a failure retry soon: a revocation Redis missed is a window in which a
            # reader that does reach Redis would still accept the session.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._wake.wait(), RESYNC_EVERY if healthy else RETRY_AFTER_FAILURE
                )

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class DatabaseRevocationChecker:
    """The auth subgraph's own fallback: it asks its database rather than itself over HTTP."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def is_revoked(self, session_id: uuid.UUID, token_id: str | None) -> bool:
        async with self.sessions() as session:
            return await repository.is_revoked(session, session_id, token_id, datetime.now(UTC))

    async def close(self) -> None:
        return None
