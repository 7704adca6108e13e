"""One pooled keep-alive HTTP client for every subgraph request (aiohttp + orjson)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
import orjson

from router.executor.busy_poll import BusyPoll
from router.executor.http1 import Pool, Target, header_fields

__all__ = ["SubgraphClient", "SubgraphFetchError"]

# Forwarded headers that only correlate logs and traces: not part of the in-flight key, so
# requests that differ only in them share one exchange (the leader's ids reach the subgraph).
_CORRELATION = frozenset({"x-request-id", "traceparent", "tracestate"})
_Raw = tuple[int, str, bytes]  # status, reason, body
_Key = tuple[str, bytes, tuple[tuple[str, str], ...]]  # URL, body, forwarded headers
# A few per request in flight: entries hold the forwarded headers (tokens) no longer than that.
_FORWARDED_CACHE = 128


class _Forwarded:
    """What one client request's forwarded headers become on each of its subgraph requests,
    worked out once per request rather than per hop: the header lines and the sharing key."""

    __slots__ = ("fields", "headers", "share")

    def __init__(self, headers: Mapping[str, str]) -> None:
        self.headers = headers  # held: the cache is keyed by its id
        self.fields = header_fields(headers)
        # Correlation headers (a fresh request id per client request) do not change answers.
        self.share = tuple(h for h in headers.items() if h[0] not in _CORRELATION)


# Apollo Gateway reports every failed subgraph request as an internal error (401/403 aside).
_FETCH_FAILED = "INTERNAL_SERVER_ERROR"


def _reason(error: BaseException, target: Target | None) -> str:
    """Describe a connection failure the way node-fetch does (what Apollo Gateway prints)."""
    if isinstance(error, aiohttp.ClientConnectorError) and isinstance(
        error.os_error, ConnectionRefusedError
    ):
        return f"connect ECONNREFUSED {error.host}:{error.port}"
    if isinstance(error, ConnectionRefusedError) and target is not None:
        return f"connect ECONNREFUSED {target.host}:{target.port}"
    return str(error) or type(error).__name__


class SubgraphFetchError(Exception):
    """A subgraph request that produced no GraphQL response (down, timeout, HTTP error, not JSON)."""

    def __init__(self, message: str, code: str, extensions: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.extensions = extensions or {}


class SubgraphClient:
    """Posts GraphQL requests to subgraphs over one shared connection pool."""

    def __init__(
        self, max_connections_per_host: int = 100, *, dedupe: bool = True, busy_poll: float = 0.0
    ) -> None:
        self._limit = max_connections_per_host
        self._session: aiohttp.ClientSession | None = None
        self._pool = Pool(max_connections_per_host)  # plain http:// (the usual subgraph URL)
        self._dedupe = dedupe
        # Identical query requests in flight (same URL, body and answer-relevant headers) share one
        # HTTP exchange, as Hive Gateway and Apollo Router do; each caller decodes its own copy.
        self._inflight: dict[_Key, asyncio.Future[_Raw]] = {}
        # By the id of the headers mapping: a plan's fetches all pass the same one.
        self._forwarded: dict[int, _Forwarded] = {}
        #: Told (service, answered, seconds) after each request: the metrics hook, a plain call
        #: rather than a wrapper coroutine around `post` (one more frame per hop).
        self.observer: Callable[[str, bool, float], None] | None = None
        # Seconds to keep the loop polling for an answer instead of sleeping (0: off).
        self.busy_poll = BusyPoll(busy_poll) if busy_poll > 0 else None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=0, limit_per_host=self._limit, keepalive_timeout=60, ttl_dns_cache=300
            )
            self._session = aiohttp.ClientSession(
                connector=connector, json_serialize=lambda o: orjson.dumps(o).decode()
            )
        return self._session

    async def close(self) -> None:
        self._pool.close()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(
        self,
        service: str,
        url: str,
        body: Mapping[str, Any],
        headers: Mapping[str, str],
        seconds: float,
    ) -> dict[str, Any]:
        """Send one request; return the decoded JSON object or raise `SubgraphFetchError`."""
        started = time.perf_counter()
        ok = False
        try:
            payload = orjson.dumps(body)
            reads = _reads_only(body)
            forwarded = self._forwarded.get(id(headers))
            if forwarded is None or forwarded.headers is not headers:
                if len(self._forwarded) >= _FORWARDED_CACHE:
                    self._forwarded.clear()
                forwarded = self._forwarded[id(headers)] = _Forwarded(headers)
            poll = self.busy_poll
            if poll is not None:
                poll.begin()
            try:
                if self._dedupe and reads:
                    key = (url, payload, forwarded.share)
                    raw = await self._shared(key, service, url, payload, forwarded, seconds)
                else:
                    raw = await self._exchange(service, url, payload, forwarded, seconds, reads)
            finally:
                if poll is not None:
                    poll.end()
            result = _decode(service, *raw)
            ok = True
            return result
        finally:
            if self.observer is not None:
                self.observer(service, ok, time.perf_counter() - started)

    async def _shared(  # noqa: PLR0917 - one request's parts
        self,
        key: _Key,
        service: str,
        url: str,
        payload: bytes,
        forwarded: _Forwarded,
        seconds: float,
    ) -> _Raw:
        """The exchange for `key`: the first caller (the leader) runs it; any caller arriving
        meanwhile waits for the leader's answer. In the leader's task, not in a task of its own:
        a hop's answer then resumes the waiting plan directly instead of going through a task,
        its done callbacks and a shield (three event-loop turns per hop)."""
        while True:
            shared = self._inflight.get(key)
            if shared is None:
                break
            try:
                # Shielded: this caller going away (client disconnect) leaves the leader alone.
                return await asyncio.shield(shared)
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if not shared.cancelled() or (current is not None and current.cancelling()):
                    raise
                # The leader went away (its client did), not this caller: ask again.
        shared = asyncio.get_running_loop().create_future()
        self._inflight[key] = shared
        try:
            raw = await self._exchange(service, url, payload, forwarded, seconds, True)
        except asyncio.CancelledError:
            shared.cancel()  # its waiters ask again
            raise
        except BaseException as error:
            shared.set_exception(error)
            shared.exception()  # marked retrieved: there may be no waiter
            raise
        else:
            shared.set_result(raw)
            return raw
        finally:
            if self._inflight.get(key) is shared:
                del self._inflight[key]

    async def _exchange(  # noqa: PLR0917 - one request's parts
        self,
        service: str,
        url: str,
        payload: bytes,
        forwarded: _Forwarded,
        seconds: float,
        reads: bool,
    ) -> _Raw:
        target = self._pool.target(url)
        try:
            if target is not None:
                return await self._pool.post(target, payload, forwarded.fields, seconds, reads)
            return await self._aiohttp(url, payload, forwarded.headers, seconds)
        except TimeoutError as error:
            raise SubgraphFetchError(
                f'Timeout while fetching subquery from service "{service}" after {seconds}s',
                _FETCH_FAILED,
                {"service": service, "reason": "timeout"},
            ) from error
        except (aiohttp.ClientError, OSError) as error:
            reason = _reason(error, target)
            raise SubgraphFetchError(
                f"request to {url} failed, reason: {reason}",
                _FETCH_FAILED,
                {"service": service, "reason": reason},
            ) from error

    async def _aiohttp(
        self, url: str, payload: bytes, headers: Mapping[str, str], seconds: float
    ) -> _Raw:
        request_headers = {
            "content-type": "application/json",
            "accept": "application/json",
            **headers,
        }
        async with self._client().post(
            url,
            data=payload,
            headers=request_headers,
            timeout=aiohttp.ClientTimeout(total=seconds),
        ) as response:
            return response.status, response.reason or "", await response.read()


def _reads_only(body: Mapping[str, Any]) -> bool:
    """A query (the planner prints `query …` or `{ … }`): safe to share; never a mutation."""
    operation = body.get("query")
    return isinstance(operation, str) and operation.lstrip().startswith(("query", "{"))


def _decode(service: str, status: int, reason: str, raw: bytes) -> dict[str, Any]:
    # Like Apollo Gateway, any non-2xx status is a failed fetch, whatever the body says.
    if status >= 300:
        code = {401: "UNAUTHENTICATED", 403: "FORBIDDEN"}.get(status, _FETCH_FAILED)
        raise SubgraphFetchError(
            f"{status}: {reason}", code, {"service": service, "http": {"status": status}}
        )
    decoded: Any = None
    try:
        decoded = orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        decoded = None
    if isinstance(decoded, dict):
        return decoded
    raise SubgraphFetchError(
        f"Expected JSON response body, but received: {raw.decode(errors='replace')}",
        _FETCH_FAILED,
        {"service": service},
    )
