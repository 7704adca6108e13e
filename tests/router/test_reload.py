"""Hot reload: a rewritten supergraph file is served without one failed request; a broken one is ignored."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from router.app import create_app
from router.composition import SubgraphSource, compose
from router.config import RouterConfig
from router.reload import SupergraphReloader
from tests.edge.conftest import DOCTORS
from tests.router.servers import Behaviour, serve_asgi, subgraph_app

# The subgraph already serves `greeting`; only the second supergraph routes it.
EXTENDED = dataclasses.replace(
    DOCTORS,
    sdl=DOCTORS.sdl.replace("type Query {", "type Query { greeting: String"),
    resolvers={
        **DOCTORS.resolvers,
        "Query": {**DOCTORS.resolvers["Query"], "greeting": lambda *_: "hi"},
    },
)
OLD_QUERY = {"query": "{ doctors { id name } }"}
NEW_QUERY = {"query": "{ greeting }"}
CLIENTS, PER_CLIENT, PAUSE = 8, 38, 0.07


@pytest.mark.asyncio(loop_scope="session")
async def test_reload_under_load(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="router.reload")
    async with serve_asgi(subgraph_app(EXTENDED, Behaviour())) as doctors:
        url = f"{doctors}/graphql"
        old_sdl = compose([SubgraphSource(name="doctors", url=url, sdl=DOCTORS.sdl)])
        new_sdl = compose([SubgraphSource(name="doctors", url=url, sdl=EXTENDED.sdl)])
        path = tmp_path / "supergraph.graphql"
        path.write_text(old_sdl)
        app = create_app(old_sdl, RouterConfig(supergraph_path=path, reload_interval=0.1))
        reloader = SupergraphReloader(app, path, interval=0.1)
        reloader.start()
        try:
            async with serve_asgi(app) as base, httpx.AsyncClient() as http:
                endpoint = f"{base}/graphql"
                before = await http.post(endpoint, json=NEW_QUERY)
                assert before.status_code == 400  # not in the old schema

                failures: list[str] = []

                async def client() -> None:
                    for _ in range(PER_CLIENT):
                        response = await http.post(endpoint, json=OLD_QUERY)
                        body = response.json()
                        if response.status_code != 200 or "errors" in body:
                            failures.append(f"{response.status_code} {body}")
                        await asyncio.sleep(PAUSE)

                async def rewrite() -> None:
                    await asyncio.sleep(0.5)
                    path.write_text("type Query { broken")  # ignored: the old router keeps serving
                    # The good file follows once the broken one was turned down: a poll delayed
                    # past that write (a loaded CI machine) would only ever read the good one.
                    for _ in range(100):
                        if "is invalid" in caplog.text:
                            break
                        await asyncio.sleep(0.02)
                    path.write_text(new_sdl)

                await asyncio.gather(*(client() for _ in range(CLIENTS)), rewrite())
                assert failures == []
                # The swap happened while the clients were still sending (~1.2 s into ~3 s).
                assert reloader.reloads == 1
                after = await http.post(endpoint, json=NEW_QUERY)
                assert after.status_code == 200
                assert after.json() == {"data": {"greeting": "hi"}}
                assert reloader.reloads == 1
                assert "is invalid" in caplog.text
        finally:
            await reloader.stop()
            await app.router.close()


@pytest.mark.asyncio(loop_scope="session")
async def test_lifespan_starts_and_stops_the_watcher(tmp_path: Path) -> None:
    url = "http://127.0.0.1:9/graphql"
    sdl = compose([SubgraphSource(name="doctors", url=url, sdl=DOCTORS.sdl)])
    new_sdl = compose([SubgraphSource(name="doctors", url=url, sdl=EXTENDED.sdl)])
    path = tmp_path / "supergraph.graphql"
    path.write_text(sdl)
    app = create_app(sdl, RouterConfig(supergraph_path=path, reload_interval=0.05))
    inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    sent: list[str] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message["type"])

    await inbox.put({"type": "lifespan.startup"})
    await inbox.put({"type": "lifespan.shutdown"})

    async def receive() -> dict[str, str]:
        message = await inbox.get()
        if message["type"] == "lifespan.shutdown":
            assert app.reloader is not None
            path.write_text(new_sdl)
            for _ in range(100):
                if app.reloader.reloads:
                    break
                await asyncio.sleep(0.05)
            assert app.reloader.reloads == 1
            assert "greeting" in app.router.supergraph.schema.query_type.fields  # type: ignore[union-attr]
        return message

    await app({"type": "lifespan"}, receive, send)
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
