"""The auth subgraph's ASGI app (port 8003)."""

from __future__ import annotations

from typing import Any

import jwt
from fastapi import FastAPI

from subgraphs.auth.loaders import Loaders
from subgraphs.auth.models import AuditOutbox
from subgraphs.auth.revocation import DatabaseRevocationChecker
from subgraphs.auth.routes import routes
from subgraphs.auth.runtime import start_runtime, stop_runtime
from subgraphs.auth.schema import schema
from subgraphs.kit.app import SubgraphDefinition, create_subgraph_app
from subgraphs.kit.audit_trail import audit_hooks
from subgraphs.kit.auth import JwtAuthenticator, RedisRevocationChecker
from subgraphs.kit.principal import Authenticator
from subgraphs.kit.settings import Settings

__all__ = ["create_app", "definition"]


class _LocalKeys:
    """The auth subgraph verifies tokens against its own key store: no HTTP call to itself."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def get(self, kid: str) -> jwt.PyJWK | None:
        key: jwt.PyJWK | None = await self.app.state.auth.keys.get(kid)
        return key


def _authenticator(app: FastAPI, settings: Settings) -> Authenticator:
    checker = RedisRevocationChecker(
        app.state.redis, settings, DatabaseRevocationChecker(app.state.sessions)
    )
    return JwtAuthenticator(settings, _LocalKeys(app), revocations=checker)


definition = SubgraphDefinition(
    name="auth",
    schema=schema,
    make_loaders=Loaders.create,
    routes=routes,
    **audit_hooks("auth", AuditOutbox, on_startup=start_runtime, on_shutdown=stop_runtime),
    make_authenticator=_authenticator,
)


def create_app(**kwargs: Any) -> FastAPI:
    return create_subgraph_app(definition, **kwargs)
