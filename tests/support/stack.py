"""The five subgraphs served for real (uvicorn on free ports) inside the test process.

One background thread runs one event loop with a uvicorn server per subgraph: start-up costs one
import, and tests can hook the subgraphs' SQLAlchemy engines to count SQL statements.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlalchemy import event

from subgraphs.kit.app import create_subgraph_app
from subgraphs.kit.embedded import free_port
from subgraphs.kit.logs import REQUEST_ID
from subgraphs.kit.registry import load_definition
from subgraphs.kit.settings import SUBGRAPHS, Settings
from tests.support.infra import TestInfra

__all__ = ["ServerThread", "StatementCounter", "SubgraphStack", "serve_router", "start_stack"]


class ServerThread:
    """Runs ASGI apps under uvicorn, each on its own port, in one background event loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.servers: list[uvicorn.Server] = []
        self.done: dict[int, concurrent.futures.Future[None]] = {}
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="test-servers", daemon=True
        )
        self.thread.start()

    def serve(self, app: Any, port: int, *, timeout: float = 60.0) -> uvicorn.Server:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_config=None, lifespan="on", loop="none",
            http="httptools", timeout_graceful_shutdown=2,
            # Longer than any gateway's client keeps an idle connection (see testbed/server.py).
            timeout_keep_alive=300,
        )  # fmt: skip
        server = uvicorn.Server(config)
        server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self.done[id(server)] = asyncio.run_coroutine_threadsafe(server.serve(), self.loop)
        self.servers.append(server)
        return server

    def wait_started(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not all(s.started for s in self.servers):
            if time.monotonic() > deadline:
                raise RuntimeError("test servers did not start")
            time.sleep(0.02)

    def run(self, coro: Any, timeout: float = 30.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self, server: uvicorn.Server | None = None, timeout: float = 10.0) -> None:
        """Stop one server (graceful, like a SIGTERM) or all of them and the loop."""
        targets = [server] if server is not None else list(self.servers)
        for s in targets:
            s.should_exit = True
        for s in targets:
            with contextlib.suppress(concurrent.futures.TimeoutError):
                self.done[id(s)].result(timeout)
            self.servers.remove(s)
        if server is None:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)


@dataclass
class StatementCounter:
    """Counts SQL statements the subgraphs execute while `counting()` is active."""

    counts: dict[str, int] = field(default_factory=dict)
    #: The statements themselves, per subgraph, in order (for tests of what a request reads).
    texts: dict[str, list[str]] = field(default_factory=dict)
    active: bool = False

    def attach(self, name: str, app: FastAPI) -> None:
        def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            # Only statements made while serving a request: background work (the audit relay
            # polling its outbox) runs outside any request and would make counts flaky.
            if self.active and REQUEST_ID.get() is not None:
                self.counts[name] = self.counts.get(name, 0) + 1
                self.texts.setdefault(name, []).append(statement)

        event.listen(app.state.engine.sync_engine, "before_cursor_execute", before)

    @contextlib.contextmanager
    def counting(self) -> Iterator[dict[str, int]]:
        self.counts = {}
        self.texts = {}
        self.active = True
        try:
            yield self.counts
        finally:
            self.active = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class SubgraphStack:
    infra: TestInfra
    settings: Settings
    ports: Mapping[str, int]
    apps: Mapping[str, FastAPI]
    servers: ServerThread
    statements: StatementCounter

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}/graphql"


def stack_settings(infra: TestInfra, ports: Mapping[str, int], **overrides: Any) -> Settings:
    urls = {f"{n}_service_url": f"http://127.0.0.1:{p}/graphql" for n, p in ports.items()}
    return Settings(
        environment="test",
        database_url=infra.database_url,
        redis_url=infra.redis_url,
        redis_prefix=infra.redis_prefix,
        log_json=True,
        **urls,
        **overrides,
    )


def start_stack(infra: TestInfra, **overrides: Any) -> SubgraphStack:
    ports = {name: free_port(0) for name in SUBGRAPHS}
    settings = stack_settings(infra, ports, **overrides)
    servers = ServerThread()
    apps = {
        name: create_subgraph_app(load_definition(name), settings=settings) for name in SUBGRAPHS
    }
    # Auth first: the other subgraphs fetch its JWKS.
    for name in SUBGRAPHS:
        servers.serve(apps[name], ports[name])
    servers.wait_started()
    counter = StatementCounter()
    for name, app in apps.items():
        counter.attach(name, app)
    return SubgraphStack(infra, settings, ports, apps, servers, counter)


@contextlib.contextmanager
def serve_router(stack: SubgraphStack) -> Iterator[str]:
    """Our router, composed from the running subgraphs, served next to them; yields its URL."""
    from router.app import create_app
    from subgraphs.kit.schema_files import compose_live

    supergraph = stack.servers.run(compose_live(stack.settings), timeout=60)
    port = free_port(0)
    server = stack.servers.serve(create_app(supergraph), port)
    stack.servers.wait_started()
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        stack.servers.stop(server)
