"""Run the router: its HTTP server on uvloop, a graceful stop on SIGTERM, the URL announced."""

from __future__ import annotations

import asyncio
import gc
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from router.asgi import App
from router.http_server import HttpServer
from router.lifespan import Lifespan, LifespanFailed

if TYPE_CHECKING:
    from router.config import RouterConfig

__all__ = ["DRAIN_SECONDS", "run_server", "run_until_stopped", "serve"]


#: In-flight requests get this long after SIGTERM (compose's stop_grace_period is 20 s).
DRAIN_SECONDS = 15


def serve(
    supergraph_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 4000,
    config: RouterConfig | None = None,
) -> None:
    """Serve the supergraph at `supergraph_path` until SIGTERM/SIGINT, then drain and exit 0."""
    # Imported here: the subgraphs run `run_until_stopped` without loading the router itself.
    from router.app import create_app

    app = create_app(Path(supergraph_path).read_text(), config)
    _tune_gc()
    run_until_stopped(app, host, port, name="router")


def run_until_stopped(
    app: App,
    host: str,
    port: int,
    *,
    name: str,
    on_started: Callable[[], None] | None = None,
) -> None:
    """Serve `app` on uvloop until SIGTERM/SIGINT (see `run_server`); exit with its status."""
    serving = run_server(app, host, port, name=name, on_started=on_started)
    if sys.platform == "win32":
        status = asyncio.run(serving)
    else:
        import uvloop

        status = uvloop.run(serving)
    if status:
        raise SystemExit(status)


async def run_server(
    app: App,
    host: str,
    port: int,
    *,
    name: str,
    on_started: Callable[[], None] | None = None,
    drain: float = DRAIN_SECONDS,
) -> int:
    """Start-up, listen, announce `NAME listening on http://HOST:PORT/graphql` (the bound port:
    what launchers wait for), serve until a signal; then stop listening, let requests in flight
    finish (up to `drain` seconds; a second signal cuts it short) and shut down. `on_started`
    runs after the app's start-up, before the announcement. Returns the exit status."""
    state: dict[str, object] = {}
    lifespan = Lifespan(app, state)
    try:
        await lifespan.startup()
    except LifespanFailed as error:
        print(f"{name}: start-up failed: {error}", file=sys.stderr, flush=True)
        return 3
    server = HttpServer(app, state=state)
    try:
        _, bound = await server.start(host, port)
    except OSError as error:
        print(f"{name}: cannot listen on {host}:{port}: {error.strerror}", file=sys.stderr)
        await lifespan.shutdown()
        return 1
    if on_started is not None:
        on_started()
    print(f"{name} listening on http://{host}:{bound}/graphql", flush=True)
    stop, force = asyncio.Event(), asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        (force if stop.is_set() else stop).set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal)
    try:
        await stop.wait()
        await server.drain(drain, force)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        await lifespan.shutdown()
    return 0


def _tune_gc() -> None:
    """Schemas, plans and modules built so far live as long as the process: move them out of the
    collector's sight, and collect young objects less often (a request allocates thousands of
    short-lived dicts). Measured in-process on the 1(b) query: CPU per request 4.5 -> 3.0 ms,
    p99 at c=1 112 -> 8 ms (full collections stopped walking the schema)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
