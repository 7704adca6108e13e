"""Pick the gateway the differential tests compare against Apollo: `FEDERATION_CANDIDATE`.

- `router` (default): our router, `python -m router --supergraph F --port N --host 127.0.0.1`.
- `apollo`: a second Apollo Gateway (checks the harness itself: every test must pass).
- any other value: a shell command template with `{supergraph}` and `{port}` placeholders, e.g.
  `node_modules/.bin/hive-gateway supergraph {supergraph} --port {port} --host 127.0.0.1`
  (run from tests/peers); ready once POST
  `http://127.0.0.1:{port}/graphql` answers `{__typename}`.
"""

from __future__ import annotations

import os
import shlex
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import httpx

from tests.support.gateway_apollo import launch_apollo_gateway
from tests.support.gateway_process import (
    GatewayStartError,
    Launching,
    RunningGateway,
    free_port,
    launch,
)
from tests.support.gateway_router import launch_router, wait_router
from tests.support.peers import PEERS_DIR

__all__ = ["ENV_VAR", "PendingGateway", "candidate_spec", "launch_candidate"]

ENV_VAR = "FEDERATION_CANDIDATE"


class PendingGateway(Protocol):
    """A gateway process that was started; `wait` returns it once it serves GraphQL."""

    def wait(self, timeout: float = 60.0) -> RunningGateway: ...


def candidate_spec() -> str:
    return os.environ.get(ENV_VAR, "router").strip() or "router"


@dataclass
class _PendingRouter:
    launching: Launching

    def wait(self, timeout: float = 60.0) -> RunningGateway:
        return wait_router(self.launching, timeout)


@dataclass
class _PendingCommand:
    """A gateway started from a command template: readiness is found by polling its endpoint."""

    launching: Launching
    url: str

    def wait(self, timeout: float = 60.0) -> RunningGateway:
        deadline = time.monotonic() + timeout
        process = self.launching.process
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = httpx.post(self.url, json={"query": "{ __typename }"}, timeout=2)
                if response.status_code == 200:
                    return RunningGateway(
                        self.launching.name, self.url, process, self.launching.output
                    )
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        return self.launching.wait(timeout=0)  # raises with the captured output


def launch_candidate(supergraph: Path, spec: str | None = None) -> PendingGateway:
    """Start the candidate gateway named by `spec` (default: `$FEDERATION_CANDIDATE`)."""
    spec = spec or candidate_spec()
    if spec == "router":
        return _PendingRouter(launch_router(supergraph))
    if spec == "apollo":
        return launch_apollo_gateway(supergraph, name="apollo-candidate")
    port = free_port()
    argv = shlex.split(spec.format(supergraph=shlex.quote(str(supergraph)), port=port))
    if not argv:
        raise GatewayStartError(f"{ENV_VAR}={spec!r} is not a command")
    # Never matches: readiness comes from polling; cwd=peers so `npx` finds the local peers.
    launching = launch(Path(argv[0]).name, argv, ready=r"(?!x)x(?P<url>)", cwd=PEERS_DIR)
    return _PendingCommand(launching, f"http://127.0.0.1:{port}/graphql")
