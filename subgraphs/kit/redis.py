"""The Redis client shared by a process (sessions, revocations, caches)."""

from __future__ import annotations

from redis.asyncio import Redis

__all__ = ["create_redis"]


def create_redis(url: str) -> Redis:
    # Short timeouts: a Redis outage must degrade to the database path, never hang a request.
    return Redis.from_url(
        url,
        decode_responses=True,
        socket_timeout=1.0,
        socket_connect_timeout=1.0,
        health_check_interval=30,
    )
