"""One pooled keep-alive HTTP client for every subgraph request (aiohttp + orjson)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import aiohttp
import orjson

__all__ = ["SubgraphClient", "SubgraphFetchError"]

# Apollo Gateway reports every failed subgraph request as an internal error (401/403 aside).
_FETCH_FAILED = "INTERNAL_SERVER_ERROR"


def _reason(error: BaseException) -> str:
    """Describe a connection failure the way node-fetch does (what Apollo Gateway prints)."""
    if isinstance(error, aiohttp.ClientConnectorError) and isinstance(
        error.os_error, ConnectionRefusedError
    ):
        return f"connect ECONNREFUSED {error.host}:{error.port}"
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

    def __init__(self, max_connections_per_host: int = 100) -> None:
        self._limit = max_connections_per_host
        self._session: aiohttp.ClientSession | None = None

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
        request_headers = {
            "content-type": "application/json",
            "accept": "application/json",
            **headers,
        }
        try:
            async with self._client().post(
                url,
                data=orjson.dumps(body),
                headers=request_headers,
                timeout=aiohttp.ClientTimeout(total=seconds),
            ) as response:
                raw = await response.read()
                status = response.status
                reason = response.reason or ""
        except TimeoutError as error:
            raise SubgraphFetchError(
                f'Timeout while fetching subquery from service "{service}" after {seconds}s',
                _FETCH_FAILED,
                {"service": service, "reason": "timeout"},
            ) from error
        except (aiohttp.ClientError, OSError, asyncio.CancelledError) as error:
            if isinstance(error, asyncio.CancelledError):
                raise
            raise SubgraphFetchError(
                f"request to {url} failed, reason: {_reason(error)}",
                _FETCH_FAILED,
                {"service": service, "reason": _reason(error)},
            ) from error
        decoded: Any = None
        try:
            decoded = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            decoded = None
        # Like Apollo Gateway, any non-2xx status is a failed fetch, whatever the body says.
        if status >= 300:
            code = {401: "UNAUTHENTICATED", 403: "FORBIDDEN"}.get(status, _FETCH_FAILED)
            raise SubgraphFetchError(
                f"{status}: {reason}", code, {"service": service, "http": {"status": status}}
            )
        if isinstance(decoded, dict):
            return decoded
        raise SubgraphFetchError(
            f"Expected JSON response body, but received: {raw.decode(errors='replace')}",
            _FETCH_FAILED,
            {"service": service},
        )
