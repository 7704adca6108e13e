"""`Parallel` plan nodes: every branch runs at once, the first in the caller's task (no event-loop
turn before its subgraph request), and a failure or cancellation stops the branches still running."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from router.executor.run import _Run


class _Branches(_Run):
    """Branches are names; each sleeps for its delay (or raises), recording what happened."""

    def __init__(self, delays: dict[str, float | Exception]) -> None:
        super().__init__(None, {}, {}, {}, [])  # type: ignore[arg-type]
        self.delays = delays
        self.log: list[str] = []

    async def node(self, node: Any) -> None:
        self.log.append(f"start {node}")
        try:
            delay = self.delays[node]
            if isinstance(delay, Exception):
                raise delay
            await asyncio.sleep(delay)
        except asyncio.CancelledError:
            self.log.append(f"cancelled {node}")
            raise
        self.log.append(f"end {node}")


async def test_branches_run_together_and_the_first_starts_in_the_callers_task() -> None:
    run = _Branches({"a": 0.05, "b": 0.01, "c": 0.0})
    pending = asyncio.ensure_future(run.parallel(("a", "b", "c")))  # type: ignore[arg-type]
    await asyncio.sleep(0)  # one turn: the caller started, and the first branch with it
    assert run.log[0] == "start a"
    await pending
    assert run.log == ["start a", "start b", "start c", "end c", "end b", "end a"]


async def test_a_failing_branch_stops_the_others() -> None:
    run = _Branches({"a": 0.0, "b": RuntimeError("bug"), "c": 10.0})
    with pytest.raises(RuntimeError, match="bug"):
        await run.parallel(("a", "b", "c"))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    assert "cancelled c" in run.log
    assert "end c" not in run.log


async def test_cancelling_the_caller_stops_every_branch() -> None:
    run = _Branches({"a": 10.0, "b": 10.0})
    pending = asyncio.ensure_future(run.parallel(("a", "b")))  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    pending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await pending
    await asyncio.sleep(0)
    assert sorted(e for e in run.log if e.startswith("cancelled")) == ["cancelled a", "cancelled b"]
