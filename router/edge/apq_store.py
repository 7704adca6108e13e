"""Where APQ documents live: an in-process LRU in front of an optional shared Redis."""

from __future__ import annotations

import logging
from collections import OrderedDict

from redis.asyncio import Redis
from redis.exceptions import RedisError

__all__ = ["ApqStore"]

_log = logging.getLogger("router.edge")


class ApqStore:
    """`get`/`put` by sha256 hash; Redis (when configured) makes a registration visible to every
    replica, and a Redis outage degrades to this replica's memory instead of failing requests."""

    def __init__(self, size: int, redis_url: str | None, prefix: str, ttl: int) -> None:
        self._memory: OrderedDict[str, str] = OrderedDict()
        self._size = size
        self._prefix = prefix
        self._ttl = ttl
        self._redis: Redis | None = Redis.from_url(redis_url) if redis_url else None

    async def get(self, sha256: str) -> str | None:
        query = self._memory.get(sha256)
        if query is not None:
            self._memory.move_to_end(sha256)
            return query
        if self._redis is None:
            return None
        try:
            raw = await self._redis.get(self._prefix + sha256)
        except (RedisError, OSError) as error:
            _log.warning("APQ Redis read failed: %s", error)
            return None
        if raw is None:
            return None
        query = raw.decode() if isinstance(raw, bytes) else str(raw)
        self._remember(sha256, query)
        return query

    async def put(self, sha256: str, query: str) -> None:
        known = sha256 in self._memory
        self._remember(sha256, query)
        if self._redis is None or known:
            return  # known here means already registered (and written through) by this replica
        try:
            await self._redis.set(self._prefix + sha256, query, ex=self._ttl)
        except (RedisError, OSError) as error:
            _log.warning("APQ Redis write failed: %s", error)

    def _remember(self, sha256: str, query: str) -> None:
        self._memory[sha256] = query
        self._memory.move_to_end(sha256)
        if len(self._memory) > self._size:
            self._memory.popitem(last=False)

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
