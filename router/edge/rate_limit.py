"""Fixed-window rate limiting per verified principal (else client IP), shared across replicas in Redis."""

from __future__ import annotations

import argparse
import logging
import math
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from redis.asyncio import Redis
from redis.exceptions import RedisError

from router.security.stages import CALLER

if TYPE_CHECKING:
    from router.context import RequestContext
    from router.pipeline import Router

__all__ = [
    "CLIENT_IP",
    "RESPONSE_HEADERS",
    "RateLimitConfig",
    "RateLimiter",
    "rate_limit_arguments",
    "rate_limit_config",
]

#: Header-map key the ASGI app fills with the peer address; a colon keeps it out of HTTP's
#: header-name space, so a client cannot spoof it.
CLIENT_IP = ":client-ip"
#: `ctx.state` key for extra response headers (list of (bytes, bytes)) the app adds.
RESPONSE_HEADERS = "response_headers"
_RETRY_REDIS_AFTER = 5.0
_log = logging.getLogger("router.rate_limit")


@dataclass(frozen=True, slots=True)
class RateLimitConfig:
    """Off unless `requests` > 0; without `redis_url` each replica counts on its own."""

    requests: int = 0
    window_seconds: float = 60.0
    redis_url: str | None = None
    redis_prefix: str = "ph:ratelimit:"


class RateLimiter:
    """Counts requests per key and window; Redis outages fall back to in-process counters."""

    def __init__(self, config: RateLimitConfig) -> None:
        self.config = config
        self._redis: Redis | None = Redis.from_url(config.redis_url) if config.redis_url else None
        self._redis_down_until = 0.0
        self._window = -1
        self._memory: dict[str, int] = {}

    async def hit(self, key: str, now: float | None = None) -> float | None:
        """Count one request for `key`; seconds until the window resets when over the limit."""
        now = time.time() if now is None else now
        window = int(now // self.config.window_seconds)
        count = await self._count(key, window, now)
        if count <= self.config.requests:
            return None
        return max((window + 1) * self.config.window_seconds - now, 0.001)

    async def _count(self, key: str, window: int, now: float) -> int:
        if self._redis is not None and now >= self._redis_down_until:
            name = f"{self.config.redis_prefix}{key}:{window}"
            try:
                # INCR and EXPIRE in one MULTI/EXEC: a counter never outlives its window.
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.incr(name)
                    pipe.expire(name, math.ceil(self.config.window_seconds) + 1)
                    count, _ = await pipe.execute()
                if self._redis_down_until:
                    _log.warning("rate limit: Redis is back; counting in Redis again")
                    self._redis_down_until = 0.0
                return int(count)
            except (RedisError, OSError) as error:
                _log.warning(
                    "rate limit: Redis unavailable (%s); falling back to the in-process limiter",
                    error,
                )
                self._redis_down_until = now + _RETRY_REDIS_AFTER
        if window != self._window:
            self._window, self._memory = window, {}
        self._memory[key] = count = self._memory.get(key, 0) + 1
        return count

    async def stage(self, router: Router, ctx: RequestContext) -> None:
        """Over the limit → 429 `RATE_LIMITED` with `Retry-After`, before planning or any subgraph call."""
        del router
        caller = ctx.state.get(CALLER)
        subject = caller.claims.get("sub") if caller is not None and caller.authenticated else None
        key = f"sub:{subject}" if subject else f"ip:{ctx.headers.get(CLIENT_IP, 'unknown')}"
        retry_after = await self.hit(key)
        if retry_after is None:
            return
        seconds = math.ceil(retry_after)
        ctx.fail(
            429,
            [
                {
                    "message": f"Rate limit exceeded; retry in {seconds} s.",
                    "extensions": {"code": "RATE_LIMITED", "retryAfter": seconds},
                }
            ],
        )
        ctx.state[RESPONSE_HEADERS] = [(b"retry-after", str(seconds).encode())]

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()


def rate_limit_arguments(parser: argparse.ArgumentParser) -> None:
    """`--rate-limit N --rate-limit-window S --rate-limit-redis-url URL --rate-limit-redis-prefix P`."""
    env = os.environ.get
    group = parser.add_argument_group("rate limiting (off unless --rate-limit > 0)")
    group.add_argument(
        "--rate-limit",
        type=int,
        default=int(env("RATE_LIMIT", "0")),
        help="requests per window per principal (else client IP); env RATE_LIMIT",
    )
    group.add_argument(
        "--rate-limit-window",
        type=float,
        default=float(env("RATE_LIMIT_WINDOW", "60")),
        help="window seconds; env RATE_LIMIT_WINDOW",
    )
    group.add_argument(
        "--rate-limit-redis-url",
        default=env("RATE_LIMIT_REDIS_URL") or env("REDIS_URL"),
        help="counters shared by replicas (default: in-process)",
    )
    group.add_argument(
        "--rate-limit-redis-prefix", default=env("RATE_LIMIT_REDIS_PREFIX", "ph:ratelimit:")
    )


def rate_limit_config(args: argparse.Namespace) -> RateLimitConfig:
    return RateLimitConfig(
        requests=args.rate_limit,
        window_seconds=args.rate_limit_window,
        redis_url=args.rate_limit_redis_url or None,
        redis_prefix=args.rate_limit_redis_prefix,
    )
