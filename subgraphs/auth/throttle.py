"""Brute-force defence: per-account and per-IP failure counters in Redis with increasing delays,
and a lock after repeated failures. Unknown emails are counted exactly like real ones, so the
answers never reveal whether an account exists."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from subgraphs.kit.errors import DomainError
from subgraphs.kit.settings import Settings

__all__ = ["LOCKED_MESSAGE", "LoginPolicy", "LoginThrottle", "TooManyAttempts"]

_log = logging.getLogger("predicthealth.auth.throttle")
LOCKED_MESSAGE = "Too many failed sign-in attempts. Try again later."


class TooManyAttempts(DomainError):
    code = "TOO_MANY_REQUESTS"

    def __init__(self, retry_after: float) -> None:
        super().__init__(LOCKED_MESSAGE, retryAfter=max(1, math.ceil(retry_after)))
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """Failures allowed before delays start, how delays grow, when a lock starts and how long."""

    account_free_failures: int = 3
    account_lock_after: int = 10
    ip_free_failures: int = 20
    ip_lock_after: int = 100
    base_delay: float = 1.0
    max_delay: float = 60.0
    lock_seconds: float = 15 * 60
    #: Failures are forgotten this long after the last one.
    window_seconds: float = 60 * 60

    def delay(self, failures: int, free: int) -> float:
        """Seconds to wait after the last failure: 0 while free, then doubling up to a cap."""
        if failures < free:
            return 0.0
        return min(self.max_delay, self.base_delay * 2.0 ** (failures - free))


@dataclass(frozen=True, slots=True)
class _Counter:
    failures: int
    last_failure: float
    locked_until: float


class LoginThrottle:
    """Reads and updates the counters; Redis errors degrade to the database lock on the user row."""

    def __init__(self, redis: Redis, settings: Settings, policy: LoginPolicy) -> None:
        self.redis = redis
        self.settings = settings
        self.policy = policy

    def _account_key(self, email: str) -> str:
        digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:32]
        return self.settings.redis_key("login", "account", digest)

    def _ip_key(self, ip: str | None) -> str:
        return self.settings.redis_key("login", "ip", ip or "unknown")

    async def _read(self, key: str) -> _Counter:
        values = await self.redis.hmget(key, ["failures", "last", "locked_until"])
        return _Counter(int(values[0] or 0), float(values[1] or 0), float(values[2] or 0))

    def _wait(self, counter: _Counter, free: int, now: float) -> float:
        if counter.locked_until > now:
            return counter.locked_until - now
        return counter.last_failure + self.policy.delay(counter.failures, free) - now

    async def check(self, email: str, ip: str | None) -> None:
        """Raise TooManyAttempts when this account or this IP must wait (no password check)."""
        now = time.time()
        try:
            account = await self._read(self._account_key(email))
            by_ip = await self._read(self._ip_key(ip))
        except (RedisError, OSError):
            _log.warning("login throttle unavailable (Redis); relying on database locks")
            return
        wait = max(
            self._wait(account, self.policy.account_free_failures, now),
            self._wait(by_ip, self.policy.ip_free_failures, now),
        )
        if wait > 0:
            raise TooManyAttempts(wait)

    async def _bump(self, key: str, lock_after: int, now: float) -> int:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(key, "failures", 1)
            pipe.hset(key, "last", repr(now))
            pipe.expire(key, int(self.policy.window_seconds + self.policy.lock_seconds))
            failures = int((await pipe.execute())[0])
        if failures >= lock_after and failures % lock_after == 0:
            await self.redis.hset(key, "locked_until", repr(now + self.policy.lock_seconds))
        return failures

    async def record_failure(self, email: str, ip: str | None) -> int | None:
        """Count a failure for both; returns the account's recent failures (None: Redis down)."""
        now = time.time()
        try:
            failures = await self._bump(
                self._account_key(email), self.policy.account_lock_after, now
            )
            await self._bump(self._ip_key(ip), self.policy.ip_lock_after, now)
        except (RedisError, OSError):
            return None
        return failures

    async def record_success(self, email: str) -> None:
        try:
            await self.redis.delete(self._account_key(email))
        except (RedisError, OSError):
            return
