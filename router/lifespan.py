"""The ASGI lifespan protocol: the app's start-up and shut-down, run in a task of its own."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from router.asgi import App, Message

__all__ = ["Lifespan", "LifespanFailed"]

_log = logging.getLogger("router.http")


class LifespanFailed(Exception):
    """The app reported (or raised) a failed start-up."""


class Lifespan:
    """Sends `lifespan.startup` and `lifespan.shutdown` to `app` and waits for its answers."""

    def __init__(self, app: App, state: dict[str, Any] | None = None) -> None:
        self.app = app
        self.state = state if state is not None else {}
        self._inbox: asyncio.Queue[Message] = asyncio.Queue()
        self._started = asyncio.Event()
        self._stopped = asyncio.Event()
        self._failure: str | None = None
        self._task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        """Run the app's start-up; raise `LifespanFailed` when it fails."""
        self._task = asyncio.get_running_loop().create_task(self._run())
        await self._inbox.put({"type": "lifespan.startup"})
        await self._started.wait()
        if self._failure is not None:
            raise LifespanFailed(self._failure)

    async def shutdown(self) -> None:
        """Run the app's shut-down (releases its connections) and wait for it to finish."""
        if self._task is None or self._task.done():
            return
        await self._inbox.put({"type": "lifespan.shutdown"})
        await self._stopped.wait()
        await self._task

    async def _run(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}}
        try:
            await self.app({**scope, "state": self.state}, self._inbox.get, self._send)
        except Exception as error:  # noqa: BLE001 - a failed start-up is reported, not raised here
            if not self._started.is_set():
                self._failure = f"{type(error).__name__}: {error}"
            _log.exception("the ASGI app failed in its lifespan")
        finally:
            if not self._started.is_set() and self._failure is None:
                self._failure = "the app returned before its start-up completed"
            self._started.set()
            self._stopped.set()

    async def _send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "lifespan.startup.failed":
            self._failure = str(message.get("message") or "start-up failed")
            self._started.set()
        elif kind == "lifespan.startup.complete":
            self._started.set()
        elif kind in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
            if kind == "lifespan.shutdown.failed":
                _log.error("the ASGI app's shut-down failed: %s", message.get("message", ""))
            self._stopped.set()
