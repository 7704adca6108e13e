"""Call another subgraph's GraphQL API with the service credential (cross-domain writes)."""

from __future__ import annotations

from typing import Any

import httpx

from subgraphs.kit.auth import SERVICE_TOKEN_HEADER
from subgraphs.kit.errors import DomainError, ServiceUnavailable
from subgraphs.kit.logs import REQUEST_ID
from subgraphs.kit.settings import Settings

__all__ = ["ServiceClient", "UpstreamError"]


class UpstreamError(DomainError):
    """The other subgraph answered with a GraphQL error; its code is kept."""

    def __init__(self, message: str, code: str, **extensions: Any) -> None:
        super().__init__(message, **extensions)
        self.upstream_code = code

    def to_extensions(self) -> dict[str, Any]:
        return {**self.extensions, "code": self.upstream_code}


class ServiceClient:
    """One pooled HTTP client per process; each call carries the service token and request id."""

    def __init__(self, settings: Settings, *, timeout: float = 5.0) -> None:
        self.settings = settings
        self._client = httpx.AsyncClient(timeout=timeout)

    async def execute(
        self, service: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Run `query` on `service`; return `data`, raise UpstreamError / ServiceUnavailable."""
        headers = {SERVICE_TOKEN_HEADER: self.settings.service_token}
        request_id = REQUEST_ID.get()
        if request_id:
            headers["x-request-id"] = request_id
        try:
            response = await self._client.post(
                self.settings.service_url(service),
                json={"query": query, "variables": variables or {}},
                headers=headers,
            )
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ServiceUnavailable(f"The {service} service is unavailable") from exc
        errors = body.get("errors")
        if errors:
            first = errors[0]
            extensions = {k: v for k, v in (first.get("extensions") or {}).items() if k != "code"}
            code = (first.get("extensions") or {}).get("code", "INTERNAL_SERVER_ERROR")
            raise UpstreamError(first.get("message", "upstream error"), code, **extensions)
        data: dict[str, Any] = body.get("data") or {}
        return data

    async def close(self) -> None:
        await self._client.aclose()
