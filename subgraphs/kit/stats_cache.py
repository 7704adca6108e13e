"""Statistics cached in Redis, recomputed when the counted tables change or after a TTL.

The big figures read summaries kept exact by triggers (patients_0006/0007, auth_0005: tens of
ms at a million rows), the rest still group their tables; either way dashboards ask for the
same figures again and again, and large answers (20,000 per-doctor groups) are worth keeping
decoded. Freshness: a statement-level trigger on every counted table advances a sequence
(`<schema>.stats_generation`, made by `create_stats_generation` in a migration), and the
generation is part of the cache key, so any write — through the API, a seed, psql — makes the
next read compute afresh. The one gap: a computation racing an uncommitted write may store
pre-write figures under the new generation (a sequence advances before its writer commits);
the TTL (default 60 s) bounds that, and any later write ends it. Redis down: computed directly.
Each process also keeps its last few values by the same key (no Redis round trip, no decoding).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, cast

import orjson
from alembic import op
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.settings import Settings

__all__ = ["DEFAULT_TTL", "StatsCache", "create_stats_generation", "drop_stats_generation"]

T = TypeVar("T")
DEFAULT_TTL = 60
_log = logging.getLogger("predicthealth.stats_cache")


def create_stats_generation(schema: str, tables: Sequence[str]) -> None:
    """Migration step: the generation sequence and the triggers advancing it on `tables`."""
    op.execute(f"CREATE SEQUENCE {schema}.stats_generation")
    op.execute(
        f"CREATE FUNCTION {schema}.bump_stats_generation() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN PERFORM nextval('{schema}.stats_generation'); RETURN NULL; END $$"
    )
    for table in tables:
        op.execute(
            f"CREATE TRIGGER {table}_stats_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {schema}.{table} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {schema}.bump_stats_generation()"
        )


def drop_stats_generation(schema: str, tables: Sequence[str]) -> None:
    for table in tables:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_stats_generation ON {schema}.{table}")
    op.execute(f"DROP FUNCTION IF EXISTS {schema}.bump_stats_generation()")
    op.execute(f"DROP SEQUENCE IF EXISTS {schema}.stats_generation")


class _Recent:
    """The last few values this process read or computed, one per question, with the
    generation they were computed at (so as fresh as Redis): a hit skips the Redis round trip
    and decoding a large JSON value. A newer generation replaces the older value at once: an
    outdated one is never read again, and keeping it alive would only make the garbage
    collector walk it (20,000 per-doctor figures each) until it aged out."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self.values: OrderedDict[str, tuple[object, float, Any]] = OrderedDict()

    def get(self, question: str, generation: object) -> Any:
        found = self.values.get(question)
        if found is None or found[0] != generation or found[1] < time.monotonic():
            return None
        self.values.move_to_end(question)
        return found[2]

    def put(self, question: str, generation: object, value: Any, ttl: float) -> None:
        self.values[question] = (generation, time.monotonic() + ttl, value)
        self.values.move_to_end(question)
        while len(self.values) > self.size:
            self.values.popitem(last=False)


_RECENT = _Recent()


class StatsCache:
    """Figures of one subgraph's schema, keyed by what they were computed for."""

    def __init__(
        self, redis: Redis, settings: Settings, schema: str, *, ttl: int = DEFAULT_TTL
    ) -> None:
        self.redis = redis
        self.settings = settings
        self.schema = schema
        self.ttl = ttl

    async def _key(self, session: AsyncSession, parts: Sequence[object]) -> tuple[str, object, str]:
        """(the question, the generation, the Redis key of both)."""
        # The schema name is a subgraph's own constant, never input.
        sql = f"SELECT current_database(), last_value FROM {self.schema}.stats_generation"  # noqa: S608
        database, generation = (await session.execute(text(sql))).one()
        digest = hashlib.sha256(repr(tuple(parts)).encode()).hexdigest()[:32]
        question = f"{self.schema}:{database}:{digest}"
        return (
            question,
            generation,
            self.settings.redis_key("stats", self.schema, database, generation, digest),
        )

    async def get(
        self,
        session: AsyncSession,
        parts: Sequence[object],
        compute: Callable[[], Awaitable[T]],
        *,
        dump: Callable[[T], Any],
        load: Callable[[Any], T],
    ) -> T:
        """The cached value for `parts` (reprs must identify the question), else `compute()`."""
        question, generation, key = await self._key(session, parts)
        recent = _RECENT.get(question, generation)
        if recent is not None:
            return cast("T", recent)
        try:
            raw = await self.redis.get(key)
        except RedisError as exc:
            _log.warning("statistics cache unavailable: %s", exc)
            return await compute()
        if raw is not None:
            value = load(orjson.loads(raw))
            _RECENT.put(question, generation, value, self.ttl)
            return value
        value = await compute()
        _RECENT.put(question, generation, value, self.ttl)
        try:
            # default=str: asyncpg's own UUID type and the like are written as text.
            await self.redis.set(key, orjson.dumps(dump(value), default=str), ex=self.ttl)
        except RedisError as exc:
            _log.warning("statistics cache unavailable: %s", exc)
        return value
