"""Run a subgraph's ASGI app with a graceful stop: SIGTERM drains, then the process exits 0.

Served by the router's own HTTP/1.1 server (`router.http_server`, on uvloop), as the router is:
uvicorn's per-request machinery and its 10 Hz housekeeping tick cost every process ~2 ms of
CPU per tick on this kind of machine, five subgraphs' worth of cache misses on two cores.
"""

from __future__ import annotations

import gc
from typing import Any

from router.server import DRAIN_SECONDS, run_until_stopped

__all__ = ["DRAIN_SECONDS", "serve"]


def _freeze() -> None:
    # The schema, mappers and modules built at start-up live as long as the process: out of the
    # collector's sight, full collections stop walking them (seconds of pauses over a few dozen
    # large statistics requests, measured in-process).
    gc.collect()
    gc.freeze()


def serve(app: Any, *, name: str, host: str, port: int) -> None:
    """Serve subgraph `name`'s app until SIGTERM/SIGINT, draining in-flight requests for
    `DRAIN_SECONDS`; `NAME subgraph listening on http://HOST:PORT/graphql` once it listens."""
    run_until_stopped(app, host, port, name=f"{name} subgraph", on_started=_freeze)
