"""Identical subgraph queries in flight share one HTTP exchange; mutations and other callers never do."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from router.executor.fetcher import SubgraphClient
from tests.router.servers import Receive, Scope, Send, serve_asgi

_SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"


def _counting_app(seen: list[bytes]) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        message = await receive()
        seen.append(message.get("body", b""))
        await asyncio.sleep(0.3)  # long enough for every caller to be in flight
        payload = b'{"data": {"n": [1, 2]}}'
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    return app


@pytest.mark.asyncio
async def test_identical_queries_in_flight_share_one_request() -> None:
    seen: list[bytes] = []
    client = SubgraphClient()
    try:
        async with serve_asgi(_counting_app(seen)) as url:
            auth = {"authorization": "Bearer a"}

            async def post(query: str, headers: dict[str, str]) -> dict[str, Any]:
                return await client.post("s", url, {"query": query}, headers, 30.0)

            # Request ids and trace context differ per client request and are not part of the key.
            answers = await asyncio.gather(
                *(
                    post("{ n }", {**auth, "x-request-id": f"r{i}", "traceparent": f"t{i}"})
                    for i in range(5)
                )
            )
            assert len(seen) == 1
            assert answers == [{"data": {"n": [1, 2]}}] * 5
            # Each caller owns its answer: the executor merges into it in place.
            assert len({id(a) for a in answers}) == 5
            assert answers[0]["data"]["n"] is not answers[1]["data"]["n"]

            seen.clear()
            await asyncio.gather(
                post("{ n }", auth),
                post("{ n }", {"authorization": "Bearer b"}),  # another caller
                post("query Q { n }", auth),  # another body
                post("mutation M { n }", auth),
                post("mutation M { n }", auth),  # mutations always go out
            )
            assert len(seen) == 5

            seen.clear()
            await post("{ n }", auth)  # nothing in flight any more
            assert len(seen) == 1
    finally:
        await client.close()


@pytest.mark.asyncio
async def test_sharing_off_sends_one_request_per_caller() -> None:
    """`dedupe_subgraph_requests=False`: one exchange (and one subgraph read audit) per request."""
    from router.config import RouterConfig
    from router.pipeline import Router

    seen: list[bytes] = []
    router = Router(_SUPERGRAPH.read_text(), RouterConfig(dedupe_subgraph_requests=False))
    client = router.client
    try:
        async with serve_asgi(_counting_app(seen)) as url:
            await asyncio.gather(
                *(client.post("s", url, {"query": "{ n }"}, {}, 30.0) for _ in range(3))
            )
            assert len(seen) == 3
    finally:
        await client.close()


@pytest.mark.asyncio
async def test_callers_sharing_an_exchange_outlive_each_other() -> None:
    """The exchange runs in the first caller's task. A waiting caller that goes away leaves it
    alone; when the first caller goes away (its client disconnected), the ones waiting on it
    ask again themselves and still get their answer."""
    seen: list[bytes] = []
    client = SubgraphClient()
    try:
        async with serve_asgi(_counting_app(seen)) as url:

            def post() -> asyncio.Task[dict[str, Any]]:
                return asyncio.ensure_future(client.post("s", url, {"query": "{ n }"}, {}, 30.0))

            leader, quitter, waiter = post(), post(), post()
            await asyncio.sleep(0.1)
            quitter.cancel()
            assert await leader == {"data": {"n": [1, 2]}}
            assert await waiter == {"data": {"n": [1, 2]}}
            assert quitter.cancelled()
            assert len(seen) == 1

            seen.clear()
            leader, waiter = post(), post()
            await asyncio.sleep(0.1)
            leader.cancel()
            assert await waiter == {"data": {"n": [1, 2]}}
            assert leader.cancelled()
            assert len(seen) == 2  # the waiter's own request after the leader's was dropped
    finally:
        await client.close()
