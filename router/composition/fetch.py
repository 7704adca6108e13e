"""Fetch a running subgraph's SDL through the federation `_service { sdl }` query."""

from __future__ import annotations

import httpx

__all__ = ["fetch_sdl"]

_QUERY = "query __ApolloGetServiceDefinition__ { _service { sdl } }"


async def fetch_sdl(
    url: str, *, timeout_s: float = 10.0, headers: dict[str, str] | None = None
) -> str:
    """POST `{ _service { sdl } }` to `url` and return the SDL; raise `RuntimeError` on failure."""
    async with httpx.AsyncClient(timeout=timeout_s) as client:
        response = await client.post(
            url,
            json={"query": _QUERY},
            headers={"content-type": "application/json", **(headers or {})},
        )
    if response.status_code != 200:
        raise RuntimeError(f"{url}: _service query failed with HTTP {response.status_code}")
    body = response.json()
    if body.get("errors"):
        messages = "; ".join(str(e.get("message")) for e in body["errors"])
        raise RuntimeError(f"{url}: _service query failed: {messages}")
    sdl = ((body.get("data") or {}).get("_service") or {}).get("sdl")
    if not isinstance(sdl, str):
        raise RuntimeError(f"{url}: response has no data._service.sdl")
    return sdl
