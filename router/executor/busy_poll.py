"""Busy polling while subgraph answers are awaited: an opt-in latency mode (off by default).

While the router waits for a subgraph it has nothing to do, so its event loop sleeps in
`epoll_wait` and the kernel halts the CPU. On a virtual machine a halted vCPU is a VM exit: the
host may run other work on the physical core meanwhile, and the answer then meets a vCPU that
takes tens of microseconds to wake and whose caches have gone cold. A request pays that at every
hop; measured on benchmark 1(a)'s recorded subgraphs (`bench/overhead_ab.py`, 3 ms per answer)
it was 170-300 µs of a request's ~1.1-1.3 ms overhead. Polling instead keeps the loop turning,
checking its sockets without blocking, for up to a budget per wait: the answer is picked up on
a running, warm core. The cost is the CPU spent turning: up to a whole core while requests are in
flight, so this is for routers on cores of their own (`--busy-poll-ms`, see the README's latency
tuning). Seastar's reactor and kernel busy polling (`SO_BUSY_POLL`) make the same trade.
"""

from __future__ import annotations

import asyncio
import time

__all__ = ["BusyPoll"]


class BusyPoll:
    """Keeps the running loop from sleeping while `begin` calls outnumber `end` calls, for at
    most `seconds` after the latest `begin`."""

    __slots__ = ("_loop", "_running", "_seconds", "_until", "_waiting", "turns")

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._waiting = 0
        self._until = 0.0
        self._running = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self.turns = 0  # loop turns spent polling (tests and curiosity)

    @property
    def polling(self) -> bool:
        """Whether the loop is being kept from sleeping right now."""
        return self._running

    @property
    def waiting(self) -> int:
        """Answers awaited now."""
        return self._waiting

    def begin(self) -> None:
        """A subgraph answer is now awaited."""
        self._waiting += 1
        self._until = time.monotonic() + self._seconds
        loop = asyncio.get_running_loop()
        if not self._running or self._loop is not loop:
            self._running = True
            self._loop = loop
            loop.call_soon(self._turn, loop)

    def end(self) -> None:
        """That answer came (or the wait ended otherwise)."""
        self._waiting -= 1

    def _turn(self, loop: asyncio.AbstractEventLoop) -> None:
        # A ready callback makes the loop poll its sockets with a zero timeout instead of
        # sleeping; this one re-queues itself until nothing is awaited or the budget is spent.
        if self._waiting > 0 and time.monotonic() < self._until and loop is self._loop:
            self.turns += 1
            loop.call_soon(self._turn, loop)
        elif loop is self._loop:
            self._running = False
