"""The router with authentication on, in front of the real stack and of purpose-built subgraphs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from router.app import RouterApp, create_app
from router.composition import SubgraphSource, compose
from router.config import RouterConfig
from router.security import AuthConfig
from subgraphs.kit.embedded import free_port
from subgraphs.kit.principal import Role
from subgraphs.kit.registry import SUBGRAPHS, subgraph_sdl
from tests.federation.testbed.subgraph import Subgraph
from tests.router.servers import Behaviour, serve_asgi, subgraph_app
from tests.support.stack import SubgraphStack

__all__ = ["Routed", "auth_config", "routed_stack", "serve_testbed"]


def auth_config(stack: SubgraphStack, **overrides: Any) -> AuthConfig:
    """Our system's settings: the stack's JWKS, issuer, audience, Redis mirror and auth service."""
    settings = stack.settings
    values: dict[str, Any] = {
        "jwks_url": settings.jwks_url(),
        "issuer": settings.jwt_issuer,
        "audience": settings.jwt_audience,
        "redis_url": stack.infra.redis_url,
        "redis_prefix": settings.redis_prefix,
        "auth_service_url": settings.auth_service_url,
        "service_token": settings.service_token,
        # User roles only: services authenticate with the service token, never with a JWT.
        "roles": tuple(r.value for r in Role if r is not Role.SERVICE),
    }
    values.update(overrides)
    return AuthConfig(**values)


@dataclass
class Routed:
    """A router being served: its GraphQL URL and the app (for its caches)."""

    url: str
    app: RouterApp

    async def post(
        self, http: httpx.AsyncClient, query: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        response = await http.post(self.url, json={"query": query}, headers=headers or {})
        body: dict[str, Any] = response.json()
        return response.status_code, body


@contextmanager
def routed_stack(stack: SubgraphStack, auth: AuthConfig) -> Iterator[Routed]:
    """The router over the five real subgraphs, served in the stack's server thread."""
    sources = [SubgraphSource(name=n, url=stack.url(n), sdl=subgraph_sdl(n)) for n in SUBGRAPHS]
    app = create_app(compose(sources), RouterConfig(auth=auth))
    port = free_port(0)
    server = stack.servers.serve(app, port)
    stack.servers.wait_started()
    try:
        yield Routed(f"http://127.0.0.1:{port}/graphql", app)
    finally:
        stack.servers.stop(server)


@pytest.fixture(scope="module")
def stack_router(stack: SubgraphStack) -> Iterator[Routed]:
    with routed_stack(stack, auth_config(stack)) as routed:
        yield routed


@asynccontextmanager
async def serve_testbed(
    subgraphs: list[Subgraph], auth: AuthConfig
) -> AsyncIterator[tuple[Routed, dict[str, Behaviour]]]:
    """Purpose-built subgraphs and a router in front of them, all in the test's event loop;
    each subgraph's `Behaviour` records the requests it received."""
    behaviours = {s.name: Behaviour() for s in subgraphs}
    async with _serve_all(subgraphs, behaviours) as urls:
        sources = [SubgraphSource(name=s.name, url=urls[s.name], sdl=s.sdl) for s in subgraphs]
        app = create_app(compose(sources), RouterConfig(auth=auth))
        async with serve_asgi(app) as base:
            try:
                yield Routed(f"{base}/graphql", app), behaviours
            finally:
                await app.router.close()


@asynccontextmanager
async def _serve_all(
    subgraphs: list[Subgraph], behaviours: dict[str, Behaviour]
) -> AsyncIterator[dict[str, str]]:
    if not subgraphs:
        yield {}
        return
    first, *rest = subgraphs
    async with (
        serve_asgi(subgraph_app(first, behaviours[first.name])) as base,
        _serve_all(rest, behaviours) as urls,
    ):
        yield {first.name: f"{base}/graphql", **urls}
