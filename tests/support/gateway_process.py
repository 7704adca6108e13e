"""Start a gateway (or any server) as a subprocess and wait until it prints its ready line."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

__all__ = [
    "GatewayStartError",
    "Launching",
    "RunningGateway",
    "UnavailableGateway",
    "free_port",
    "launch",
]


class GatewayStartError(RuntimeError):
    """The process exited or stayed silent instead of printing its ready line."""


def free_port() -> int:
    """A port that was free a moment ago (for programs that cannot bind port 0 themselves)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class _Output:
    """The last lines a process printed, read on a thread so the pipe never fills up."""

    lines: deque[str] = field(default_factory=lambda: deque(maxlen=400))
    changed: threading.Condition = field(default_factory=threading.Condition)
    closed: bool = False

    def pump(self, stream: IO[str]) -> None:
        for line in stream:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.closed = True
            self.changed.notify_all()

    def text(self) -> str:
        with self.changed:
            return "\n".join(self.lines)


@dataclass
class RunningGateway:
    """A started GraphQL server: its endpoint URL and, when we started it, its process."""

    name: str
    url: str
    process: subprocess.Popen[str] | None = None
    output: _Output = field(default_factory=_Output)

    def log(self) -> str:
        return self.output.text()

    def stop(self) -> None:
        """Terminate the process group we started (the gateway and any child it forked)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


@dataclass
class UnavailableGateway:
    """Stands in for a gateway that failed to start, so each test using it fails with why."""

    name: str
    reason: str

    def stop(self) -> None:
        return None


@dataclass
class Launching:
    """A process that was started but may not be ready yet (lets callers start many at once)."""

    name: str
    argv: Sequence[str]
    process: subprocess.Popen[str]
    ready: re.Pattern[str]
    output: _Output

    def wait(self, timeout: float = 60.0) -> RunningGateway:
        """Block until the ready line (its `url` group is the endpoint); raise with the log if not."""
        deadline = time.monotonic() + timeout
        with self.output.changed:
            while True:
                for line in self.output.lines:
                    match = self.ready.search(line)
                    if match:
                        return RunningGateway(self.name, match["url"], self.process, self.output)
                if self.output.closed or time.monotonic() >= deadline:
                    break
                self.output.changed.wait(timeout=max(0.0, deadline - time.monotonic()))
        self.process.poll()
        self._kill()
        status = (
            f"exited with {self.process.returncode}"
            if self.output.closed
            else f"printed no ready line within {timeout:.0f}s"
        )
        raise GatewayStartError(
            f"{self.name} ({' '.join(self.argv)}) {status}; its output:\n{self.output.text()}"
        )

    def _kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def launch(
    name: str,
    argv: Sequence[str],
    *,
    ready: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Launching:
    """Start `argv` in its own process group; `ready` is a regex with a named group `url`."""
    process = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
        start_new_session=True,
    )
    output = _Output()
    threading.Thread(target=output.pump, args=(process.stdout,), daemon=True).start()
    return Launching(name, argv, process, re.compile(ready), output)
