"""Opt-in busy polling (router/executor/busy_poll.py): while a subgraph answer is awaited the
event loop keeps turning instead of sleeping, within its budget, and stops once nothing is
awaited; answers and failures are what they are without it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from router.__main__ import parse_args, router_config
from router.app import create_app
from router.config import RouterConfig
from router.executor.busy_poll import BusyPoll
from router.executor.fetcher import SubgraphClient, SubgraphFetchError
from router.pipeline import Router
from tests.router.servers import free_port, serve_asgi
from tests.router.test_http1 import _post, _reply, raw_server

_SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"


async def _polls(poll: BusyPoll, seconds: float) -> None:
    """After `seconds` the loop is still polling: a sleeping loop turns once or twice in that
    time, a polling one thousands of times."""
    before = poll.turns
    await asyncio.sleep(seconds)
    assert poll.polling
    assert poll.turns - before > 20


async def _sleeps(poll: BusyPoll) -> int:
    """The loop sleeps: not polling, and no turn taken in the next 10 ms. Returns the turns."""
    assert not poll.polling
    stopped = poll.turns
    await asyncio.sleep(0.01)
    assert poll.turns == stopped
    return stopped


async def test_the_loop_turns_while_an_answer_is_awaited_and_stops_after() -> None:
    poll = BusyPoll(1.0)
    poll.begin()
    await _polls(poll, 0.02)
    poll.end()
    await asyncio.sleep(0.01)
    await _sleeps(poll)


async def test_polling_gives_up_at_its_budget_and_starts_again_on_the_next_wait() -> None:
    poll = BusyPoll(0.005)
    poll.begin()
    await asyncio.sleep(0.05)
    assert poll.waiting == 1
    stopped = await _sleeps(poll)  # 5 ms spent: asleep again although an answer is awaited
    poll.begin()  # another request: a fresh budget
    await asyncio.sleep(0.002)
    assert poll.turns > stopped
    poll.end()
    poll.end()
    assert poll.waiting == 0


async def test_after_an_answer_the_loop_lingers_for_the_budget_then_sleeps() -> None:
    poll = BusyPoll(0.03)
    poll.linger()
    await _polls(poll, 0.01)
    await asyncio.sleep(0.06)
    await _sleeps(poll)
    # A subgraph request ends the lingering: with its answer in, nothing is awaited.
    poll.linger()
    poll.begin()
    poll.end()
    await asyncio.sleep(0.01)
    assert not poll.polling


async def test_a_polling_client_answers_and_fails_as_any_other() -> None:
    async def slow(_: int, __: bytes) -> bytes:
        await asyncio.sleep(0.02)
        return _reply()

    client = SubgraphClient(busy_poll=0.1)
    poll = client.busy_poll
    assert poll is not None
    try:
        async with raw_server(slow) as (url, _):
            answered = asyncio.ensure_future(_post(client, url))
            await _polls(poll, 0.01)  # the answer comes after 20 ms
            assert await answered == {"data": {"ok": True}}
        with pytest.raises(SubgraphFetchError):
            await _post(client, f"http://127.0.0.1:{free_port()}/graphql")  # nobody listening
        assert poll.waiting == 0
        await asyncio.sleep(0.01)
        await _sleeps(poll)
    finally:
        await client.close()


async def test_off_unless_configured() -> None:
    assert SubgraphClient().busy_poll is None
    default = Router(_SUPERGRAPH.read_text())
    configured = Router(_SUPERGRAPH.read_text(), RouterConfig(busy_poll_ms=20))
    try:
        assert default.client.busy_poll is None
        assert configured.client.busy_poll is not None
    finally:
        await default.close()
        await configured.close()


async def test_in_latency_mode_the_router_stays_awake_after_answering_a_client() -> None:
    app = create_app(_SUPERGRAPH.read_text(), RouterConfig(busy_poll_ms=50))
    poll = app.router.client.busy_poll
    assert poll is not None
    try:
        async with serve_asgi(app) as base, httpx.AsyncClient(timeout=10) as http:
            answer = await http.post(f"{base}/graphql", json={"query": "{ __typename }"})
            assert answer.json() == {"data": {"__typename": "Query"}}
            await _polls(poll, 0.01)  # awake for this connection's next request
            await asyncio.sleep(0.1)
            await _sleeps(poll)  # 50 ms without traffic: asleep again
    finally:
        await app.router.close()


def test_the_command_line_and_the_environment_turn_it_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROUTER_BUSY_POLL_MS", raising=False)

    def configured(*extra: str) -> float:
        return router_config(parse_args(["--supergraph", "s.graphql", *extra])).busy_poll_ms

    assert configured() == 0
    assert configured("--busy-poll-ms", "20") == 20
    monkeypatch.setenv("ROUTER_BUSY_POLL_MS", "5")
    assert configured() == 5
    assert configured("--busy-poll-ms", "0") == 0  # the flag wins over the environment
