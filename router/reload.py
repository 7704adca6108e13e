"""Hot reload: watch the supergraph file and swap in a freshly built `Router` without dropping requests."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from router.pipeline import Router

if TYPE_CHECKING:
    from router.app import RouterApp

__all__ = ["SupergraphReloader"]

_log = logging.getLogger("router.reload")


class SupergraphReloader:
    """Polls `path` (mtime, then content hash) every `interval` s; a changed, valid file becomes
    `app.router` atomically, a broken one is logged and the old router keeps serving."""

    def __init__(self, app: RouterApp, path: str | Path, interval: float = 1.0) -> None:
        self.app = app
        self.path = Path(path)
        self.interval = interval
        self.reloads = 0
        self._mtime, self._digest = self._stat()
        self._task: asyncio.Task[None] | None = None
        self._retiring: set[asyncio.Task[None]] = set()

    def _stat(self) -> tuple[float, str]:
        try:
            stat = self.path.stat()
            digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        except OSError:
            return -1.0, ""
        return stat.st_mtime, digest

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for task in list(self._retiring):
            task.cancel()
        await asyncio.gather(*self._retiring, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.check()
            except Exception:  # noqa: BLE001 - the watcher must outlive any failed reload
                _log.exception("supergraph reload: unexpected failure")

    async def check(self) -> bool:
        """Reload now if the file changed; True when a new router was swapped in."""
        try:
            mtime = self.path.stat().st_mtime
        except OSError as error:
            _log.warning(
                "supergraph reload: cannot stat %s (%s); keeping the old one", self.path, error
            )
            return False
        if mtime == self._mtime:
            return False
        data = await asyncio.to_thread(self.path.read_bytes)
        digest = hashlib.sha256(data).hexdigest()
        self._mtime = mtime
        if digest == self._digest:
            return False
        config = self.app.router.config
        try:
            # Composition-sized work (schema, planner) off the event loop; caches start empty.
            new = await asyncio.to_thread(Router, data.decode(), config)
        except Exception as error:  # noqa: BLE001 - any build failure means "broken file"
            _log.error(
                "supergraph reload: %s is invalid (%s); keeping the old one", self.path, error
            )
            self._digest = digest  # don't rebuild the same broken file every second
            return False
        old, self.app.router = self.app.router, new
        self._digest = digest
        self.reloads += 1
        _log.warning("supergraph reload: now serving %s (sha256 %s)", self.path, digest[:12])
        task = asyncio.get_running_loop().create_task(self._retire(old))
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)
        return True

    async def _retire(self, old: Router) -> None:
        # Requests already inside the old router finish there (each request holds its router);
        # its connections close once the longest subgraph timeout has surely passed.
        try:
            await asyncio.sleep(
                max(old.config.subgraph_timeout, *old.config.subgraph_timeouts.values(), 0) + 1
            )
        finally:
            await old.close()
