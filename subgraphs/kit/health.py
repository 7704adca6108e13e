"""`/health`: each dependency checked with its latency; 503 when any is down."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse

__all__ = ["check_dependencies", "health_endpoint"]

_TIMEOUT = 2.0


async def _timed(check: Callable[[], Awaitable[Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check(), _TIMEOUT)
    except Exception as exc:  # noqa: BLE001 - any failure means the dependency is down
        return {"status": "down", "error": type(exc).__name__}
    return {"status": "up", "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


async def check_dependencies(engine: AsyncEngine, redis: Redis) -> dict[str, dict[str, Any]]:
    async def database() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def cache() -> None:
        await redis.ping()

    db, rd = await asyncio.gather(_timed(database), _timed(cache))
    return {"postgresql": db, "redis": rd}


async def health_endpoint(request: Request) -> JSONResponse:
    state = request.app.state
    deps = await check_dependencies(state.engine, state.redis)
    healthy = all(d["status"] == "up" for d in deps.values())
    body = {
        "service": state.service_name,
        "status": "ok" if healthy else "degraded",
        "dependencies": deps,
    }
    return JSONResponse(body, status_code=200 if healthy else 503)
