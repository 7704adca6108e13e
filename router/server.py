"""Run the router with uvicorn (uvloop + httptools) and announce the URL once it listens."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
from collections.abc import Generator
from pathlib import Path

import uvicorn

from router.app import create_app
from router.config import RouterConfig

__all__ = ["DRAIN_SECONDS", "serve"]


#: In-flight requests get this long after SIGTERM (compose's stop_grace_period is 20 s).
DRAIN_SECONDS = 15


class _Server(uvicorn.Server):
    """SIGTERM/SIGINT: stop listening (new connections are refused), close idle keep-alive
    connections, let in-flight requests finish (up to DRAIN_SECONDS), then exit with status 0
    instead of re-raising the signal as plain uvicorn does."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        with super().capture_signals():
            yield
            self._captured_signals.clear()

    async def startup(self, sockets: list[object] | None = None) -> None:  # type: ignore[override]
        await super().startup(sockets=sockets)  # type: ignore[arg-type]
        if self.started:
            config = self.config
            print(f"router listening on http://{config.host}:{config.port}/graphql", flush=True)


def serve(
    supergraph_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 4000,
    config: RouterConfig | None = None,
) -> None:
    """Serve the supergraph at `supergraph_path` until interrupted."""
    app = create_app(Path(supergraph_path).read_text(), config)
    _tune_gc()
    loop = "uvloop" if sys.platform != "win32" else "asyncio"
    server = _Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            loop=loop,
            http="httptools",
            lifespan="on",
            access_log=False,
            # The router trusts no forwarding headers (and the middleware costs ~3% CPU per request).
            proxy_headers=False,
            server_header=False,
            log_level="warning",
            timeout_graceful_shutdown=DRAIN_SECONDS,
        )
    )
    asyncio.run(server.serve()) if loop == "asyncio" else _run_uvloop(server)


def _tune_gc() -> None:
    """Schemas, plans and modules built so far live as long as the process: move them out of the
    collector's sight, and collect young objects less often (a request allocates thousands of
    short-lived dicts). Measured in-process on the 1(b) query: CPU per request 4.5 -> 3.0 ms,
    p99 at c=1 112 -> 8 ms (full collections stopped walking the schema)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def _run_uvloop(server: uvicorn.Server) -> None:
    import uvloop

    uvloop.run(server.serve())
