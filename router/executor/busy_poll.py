"""Busy polling while traffic flows: an opt-in latency mode (off by default).

While the router waits for a subgraph, or for a client's next request, it has nothing to do, so
its event loop sleeps in `epoll_wait` and the kernel halts the CPU. On a virtual machine a halted
vCPU is a VM exit: the host may run other work on the physical core meanwhile, and the next
packet then meets a vCPU that takes tens of microseconds to wake and whose caches have gone cold.
A request pays that at every hop; measured on benchmark 1(a)'s recorded subgraphs
(`bench/overhead_ab.py`, 3 ms per answer) polling for subgraph answers took 230-270 µs off a
request's ~1.0-1.1 ms overhead, and polling after each answer to a client as well another
50-130 µs. Polling keeps the loop turning, checking its sockets without blocking, while an
answer is awaited and for up to a budget after the latest activity: the next packet is picked up
on a running, warm core. The cost is the CPU spent turning: a whole core while traffic flows, so
this is for routers on cores of their own (`--busy-poll-ms`, see the README's latency tuning).
Seastar's reactor and kernel busy polling (`SO_BUSY_POLL`) make the same trade.
"""

from __future__ import annotations

import asyncio
import time

__all__ = ["BusyPoll"]


class BusyPoll:
    """Keeps the running loop from sleeping while `begin` calls outnumber `end` calls and after
    `linger`, for at most `seconds` after the latest of either."""

    __slots__ = ("_linger", "_loop", "_running", "_seconds", "_until", "_waiting", "turns")

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._waiting = 0
        self._until = 0.0
        self._linger = False
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
        self._linger = False
        self._until = time.monotonic() + self._seconds
        self._start()

    def end(self) -> None:
        """That answer came (or the wait ended otherwise)."""
        self._waiting -= 1

    def linger(self) -> None:
        """An answer went out: poll for the client's next request too, for up to the budget."""
        self._linger = True
        self._until = time.monotonic() + self._seconds
        self._start()

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        if not self._running or self._loop is not loop:
            self._running = True
            self._loop = loop
            loop.call_soon(self._turn, loop)

    def _turn(self, loop: asyncio.AbstractEventLoop) -> None:
        # A ready callback makes the loop poll its sockets with a zero timeout instead of
        # sleeping; this one re-queues itself until nothing is awaited or the budget is spent.
        busy = self._waiting > 0 or self._linger
        if busy and time.monotonic() < self._until and loop is self._loop:
            self.turns += 1
            loop.call_soon(self._turn, loop)
        elif loop is self._loop:
            self._running = False
