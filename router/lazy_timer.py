"""One loop timer for a deadline that keeps moving (a connection's idle, head or answer deadline).

Creating and cancelling a loop timer per request costs microseconds on a cold core. A
`LazyTimer` armed for an earlier deadline stays armed when a later one comes: it fires early,
its owner finds the deadline moved on (`due`) and arms it again, so a busy connection re-arms
about once per period instead of once or twice per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

__all__ = ["LazyTimer", "due"]

# libuv timers count whole milliseconds: one may fire up to this much before its loop time.
_SLACK = 0.001


def due(loop: asyncio.AbstractEventLoop, deadline: float) -> bool:
    """`deadline` (loop time) has come, within a timer's rounding."""
    return loop.time() + _SLACK >= deadline


class LazyTimer:
    """Calls `callback` by the earliest deadline it was armed for (maybe earlier than the
    owner's current one: the callback checks with `due` and re-arms)."""

    __slots__ = ("_at", "_callback", "_handle")

    def __init__(self, callback: Callable[[], None]) -> None:
        self._callback = callback
        self._handle: asyncio.TimerHandle | None = None
        self._at = 0.0

    def arm(self, loop: asyncio.AbstractEventLoop, deadline: float) -> None:
        """Fire by `deadline`: a timer already due no later stays as it is."""
        if self._handle is not None:
            if self._at <= deadline:
                return
            self._handle.cancel()
        self._handle = loop.call_at(deadline, self._fire)
        self._at = deadline

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _fire(self) -> None:
        self._handle = None
        self._callback()
