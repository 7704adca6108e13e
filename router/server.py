"""Run the router: its HTTP server on uvloop, a graceful stop on SIGTERM, the URL announced."""

from __future__ import annotations

import asyncio
import gc
import signal
import sys
from pathlib import Path

from router.app import create_app
from router.config import RouterConfig
from router.http_server import App, HttpServer
from router.lifespan import Lifespan, LifespanFailed

__all__ = ["DRAIN_SECONDS", "serve"]


#: In-flight requests get this long after SIGTERM (compose's stop_grace_period is 20 s).
DRAIN_SECONDS = 15


def serve(
    supergraph_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 4000,
    config: RouterConfig | None = None,
) -> None:
    """Serve the supergraph at `supergraph_path` until SIGTERM/SIGINT, then drain and exit 0."""
    app = create_app(Path(supergraph_path).read_text(), config)
    _tune_gc()
    if sys.platform == "win32":
        status = asyncio.run(run_server(app, host, port))
    else:
        import uvloop

        status = uvloop.run(run_server(app, host, port))
    if status:
        raise SystemExit(status)


async def run_server(app: App, host: str, port: int, *, drain: float = DRAIN_SECONDS) -> int:
    """Start-up, listen, announce, serve until a signal; then stop listening, let requests in
    flight finish (up to `drain` seconds; a second signal cuts it short) and shut down.
    Returns the process's exit status."""
    state: dict[str, object] = {}
    lifespan = Lifespan(app, state)
    try:
        await lifespan.startup()
    except LifespanFailed as error:
        print(f"router: start-up failed: {error}", file=sys.stderr, flush=True)
        return 3
    server = HttpServer(app, state=state)
    try:
        _, bound = await server.start(host, port)
    except OSError as error:
        print(f"router: cannot listen on {host}:{port}: {error.strerror}", file=sys.stderr)
        await lifespan.shutdown()
        return 1
    print(f"router listening on http://{host}:{bound}/graphql", flush=True)
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
