"""Plain HTTP routes of the auth subgraph: the JWKS, and the revocation check other services use
when Redis cannot answer."""

from __future__ import annotations

import hmac
import uuid
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from subgraphs.auth import repository
from subgraphs.kit.auth import SERVICE_TOKEN_HEADER

__all__ = ["routes"]


async def jwks(request: Request) -> JSONResponse:
    body = await request.app.state.auth.keys.jwks()
    # Short caching: verifiers refetch on an unknown kid anyway, and rotation must spread fast.
    return JSONResponse(body, headers={"cache-control": "public, max-age=60"})


async def revocation_status(request: Request) -> JSONResponse:
    presented = request.headers.get(SERVICE_TOKEN_HEADER, "")
    expected = request.app.state.settings.service_token
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        return JSONResponse({"error": "service credentials required"}, status_code=401)
    try:
        session_id = uuid.UUID(request.query_params["sid"])
    except (KeyError, ValueError):
        return JSONResponse({"error": "sid must be a session id"}, status_code=400)
    jti = request.query_params.get("jti")
    async with request.app.state.sessions() as session:
        revoked = await repository.is_revoked(session, session_id, jti, datetime.now(UTC))
    return JSONResponse({"revoked": revoked}, headers={"cache-control": "no-store"})


routes = [
    Route("/.well-known/jwks.json", jwks, methods=["GET"]),
    Route("/internal/revocation", revocation_status, methods=["GET"]),
]
