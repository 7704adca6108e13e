"""Rate limiting: 429 `RATE_LIMITED` with Retry-After before any subgraph call, counters in real Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, cast

import httpx
import pytest
from redis.asyncio import Redis

from router.config import RouterConfig
from router.context import GraphQLRequest, RequestContext
from router.edge.rate_limit import CLIENT_IP, RateLimitConfig, RateLimiter
from router.security.authn import ANONYMOUS_CALLER, Caller
from router.security.stages import CALLER
from tests.edge.conftest import serve_edge
from tests.support.infra import server_urls

if TYPE_CHECKING:
    from router.pipeline import Router

QUERY = {"query": "{ doctors { id } }"}


@pytest.fixture
async def redis_config() -> AsyncIterator[RateLimitConfig]:
    _, redis_url = server_urls()
    prefix = f"ph:test:rl:{uuid.uuid4().hex[:10]}:"
    yield RateLimitConfig(requests=3, window_seconds=30, redis_url=redis_url, redis_prefix=prefix)
    redis = Redis.from_url(redis_url)
    try:
        keys = [key async for key in redis.scan_iter(match=prefix + "*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


@pytest.mark.asyncio(loop_scope="session")
async def test_over_limit_is_429_before_subgraphs(redis_config: RateLimitConfig) -> None:
    config = RouterConfig(rate_limit=redis_config)
    async with serve_edge(config) as edge, httpx.AsyncClient() as http:
        statuses = [(await http.post(edge.url, json=QUERY)).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        seen = len(edge.behaviours["doctors"].seen_bodies)
        response = await http.post(edge.url, json=QUERY)
        assert response.status_code == 429
        assert 1 <= int(response.headers["retry-after"]) <= 30
        assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert len(edge.behaviours["doctors"].seen_bodies) == seen
        # Rejections show in the metrics by status and by error code.
        metrics = (await http.get(edge.url.removesuffix("/graphql") + "/metrics")).text
        assert 'router_requests_total{status="429"} 1.0' in metrics
        assert 'router_errors_total{code="RATE_LIMITED"} 1.0' in metrics
    # The counter lives in Redis, keyed by client IP.
    redis = Redis.from_url(redis_config.redis_url or "")
    try:
        keys = [k async for k in redis.scan_iter(match=redis_config.redis_prefix + "ip:*")]
        assert len(keys) == 1
        assert int(await redis.get(keys[0]) or 0) == 4
    finally:
        await redis.aclose()


@pytest.mark.asyncio(loop_scope="session")
async def test_replicas_share_counters(redis_config: RateLimitConfig) -> None:
    first, second = RateLimiter(redis_config), RateLimiter(redis_config)
    try:
        assert await first.hit("sub:alice", now=1000.0) is None
        assert await second.hit("sub:alice", now=1000.0) is None
        assert await first.hit("sub:alice", now=1001.0) is None
        assert await second.hit("sub:alice", now=1002.0) == pytest.approx(18.0)
        assert await second.hit("sub:bob", now=1002.0) is None
        # A new window starts a new count.
        assert await first.hit("sub:alice", now=1021.0) is None
    finally:
        await first.close()
        await second.close()


@pytest.mark.asyncio(loop_scope="session")
async def test_redis_down_falls_back_to_memory(caplog: pytest.LogCaptureFixture) -> None:
    config = RateLimitConfig(requests=2, window_seconds=60, redis_url="redis://127.0.0.1:1/0")
    limiter = RateLimiter(config)
    try:
        results = [await limiter.hit("ip:1.2.3.4", now=60.0) for _ in range(3)]
        assert results[:2] == [None, None]
        assert results[2] is not None
        assert "falling back to the in-process limiter" in caplog.text
    finally:
        await limiter.close()


@pytest.mark.asyncio(loop_scope="session")
async def test_off_by_default() -> None:
    async with serve_edge(RouterConfig()) as edge, httpx.AsyncClient() as http:
        statuses = {(await http.post(edge.url, json=QUERY)).status_code for _ in range(5)}
        assert statuses == {200}
        assert edge.app.router.edge.rate_limiter is None


@pytest.mark.asyncio(loop_scope="session")
async def test_keyed_by_verified_subject_else_ip() -> None:
    limiter = RateLimiter(RateLimitConfig(requests=1, window_seconds=60))
    alice = Caller(authenticated=True, claims={"sub": "alice"})

    async def status(caller: Caller | None, ip: str) -> int:
        ctx = RequestContext(request=GraphQLRequest(query="{ a }"), headers={CLIENT_IP: ip})
        if caller is not None:
            ctx.state[CALLER] = caller
        await limiter.stage(cast("Router", None), ctx)
        return ctx.status

    # Alice's budget follows her token across addresses; anonymous callers share their IP's.
    assert await status(alice, "10.0.0.1") == 200
    assert await status(alice, "10.0.0.2") == 429
    assert await status(None, "10.0.0.1") == 200
    assert await status(ANONYMOUS_CALLER, "10.0.0.1") == 429
    assert await status(None, "10.0.0.3") == 200
    await limiter.close()
