"""Run Apollo Gateway (`tests/peers/apollo_gateway.mjs`) over a static supergraph file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tests.support.gateway_process import Launching, RunningGateway, launch
from tests.support.peers import PEERS_DIR, ensure_peers, node_bin

__all__ = ["launch_apollo_gateway", "start_apollo_gateway"]

_SCRIPT = PEERS_DIR / "apollo_gateway.mjs"
_READY = r"apollo gateway listening on (?P<url>http://\S+/graphql)"


def launch_apollo_gateway(
    supergraph: Path,
    *,
    port: int = 0,
    name: str = "apollo",
    forward_headers: Sequence[str] = (),
) -> Launching:
    """Start Apollo Gateway without waiting (call `.wait()`), so several can boot in parallel.

    `forward_headers`: client request headers copied onto every subgraph request.
    """
    ensure_peers()
    argv = [node_bin(), str(_SCRIPT), "--supergraph", str(supergraph), "--port", str(port)]
    if forward_headers:
        argv += ["--forward-headers", ",".join(forward_headers)]
    # cwd=peers so node resolves @apollo/* from tests/peers/node_modules.
    return launch(name, argv, ready=_READY, cwd=PEERS_DIR)


def start_apollo_gateway(
    supergraph: Path, *, port: int = 0, timeout: float = 60.0
) -> RunningGateway:
    """Start Apollo Gateway and return once it serves `url` (call `.stop()` when done)."""
    return launch_apollo_gateway(supergraph, port=port).wait(timeout)
