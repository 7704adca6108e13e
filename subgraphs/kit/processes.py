"""Start, watch and stop the child processes of `predicthealth dev`."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import httpx

__all__ = ["Child", "Supervisor"]


@dataclass
class Child:
    name: str
    argv: Sequence[str]
    health_url: str
    process: subprocess.Popen[bytes] | None = None


@dataclass
class Supervisor:
    """Owns child processes: starts them, waits until healthy, stops every one on exit."""

    env: Mapping[str, str]
    children: list[Child] = field(default_factory=list)

    def start(self, child: Child) -> None:
        child.process = subprocess.Popen(
            list(child.argv),
            env={**os.environ, **self.env},
            # Own process group: Ctrl-C reaches us once, and we stop children in order.
            start_new_session=True,
        )
        self.children.append(child)

    def wait_healthy(self, children: Sequence[Child], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        pending = list(children)
        with httpx.Client(timeout=2.0) as client:
            while pending:
                for child in list(pending):
                    assert child.process is not None
                    if child.process.poll() is not None:
                        raise RuntimeError(
                            f"{child.name} exited with code {child.process.returncode}"
                        )
                    with contextlib.suppress(httpx.HTTPError):
                        if client.get(child.health_url).status_code == 200:
                            pending.remove(child)
                if pending and time.monotonic() > deadline:
                    names = ", ".join(c.name for c in pending)
                    raise RuntimeError(f"not healthy after {timeout:.0f}s: {names}")
                if pending:
                    time.sleep(0.1)

    def watch(self) -> Child:
        """Block until a child exits; return it."""
        while True:
            for child in self.children:
                assert child.process is not None
                if child.process.poll() is not None:
                    return child
            time.sleep(0.25)

    def stop_all(self, grace: float = 10.0) -> None:
        """SIGTERM in reverse start order (router first), then SIGKILL whatever lingers."""
        for child in reversed(self.children):
            if child.process is not None and child.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]
