"""Run our router (`python -m router --supergraph FILE --port N --host 127.0.0.1`)."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

from tests.support.gateway_process import (
    GatewayStartError,
    Launching,
    RunningGateway,
    free_port,
    launch,
)

__all__ = ["launch_router", "start_router", "wait_router"]

_REPO = Path(__file__).resolve().parents[2]
_READY = r"router listening on (?P<url>http://\S+/graphql)"


def launch_router(supergraph: Path, *, port: int | None = None, name: str = "router") -> Launching:
    """Start the router without waiting (call `wait_router`), so several can boot in parallel."""
    argv = [
        sys.executable,
        "-m",
        "router",
        "--supergraph",
        str(supergraph),
        "--port",
        str(port or free_port()),
        "--host",
        "127.0.0.1",
        # Compared with Apollo Gateway: its 400s for GraphQL errors under application/json.
        "--apollo-status-codes",
    ]
    return launch(name, argv, ready=_READY, cwd=_REPO, env={"PYTHONUNBUFFERED": "1"})


def wait_router(launching: Launching, timeout: float = 60.0) -> RunningGateway:
    """Wait for the ready line, then check the contract's `/health` answers 200."""
    gateway = launching.wait(timeout)
    health = gateway.url.removesuffix("/graphql") + "/health"
    try:
        status = httpx.get(health, timeout=10).status_code
    except httpx.HTTPError as error:
        status = f"unreachable ({error})"  # type: ignore[assignment]
    if status != 200:
        gateway.stop()
        raise GatewayStartError(f"{health} answered {status}; router output:\n{gateway.log()}")
    return gateway


def start_router(
    supergraph: Path, *, port: int | None = None, timeout: float = 60.0
) -> RunningGateway:
    """Start the router and return once it serves `url` (call `.stop()` when done)."""
    return wait_router(launch_router(supergraph, port=port), timeout)
