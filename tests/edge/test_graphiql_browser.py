"""GraphiQL in headless Chromium: the page loads from the router alone, the docs load, a typed
query runs and its result appears."""

from __future__ import annotations

import asyncio
import json
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from router.config import RouterConfig
from tests.edge.browser import chromium_or_reason
from tests.edge.conftest import serve_edge

PEERS = Path(__file__).resolve().parents[1] / "peers"
SCRIPT = Path(__file__).with_name("graphiql_browser.cjs")


@pytest.mark.asyncio(loop_scope="session")
async def test_graphiql_runs_a_query_in_chromium() -> None:
    chromium, reason = await asyncio.to_thread(chromium_or_reason)
    if chromium is None:
        pytest.skip(reason)
    async with serve_edge(RouterConfig()) as edge:
        with tempfile.TemporaryDirectory(prefix="graphiql-chromium-") as profile:
            # Awaited asynchronously: the router under test runs on this loop.
            proc = await asyncio.create_subprocess_exec(
                "node",
                str(SCRIPT),
                edge.url,
                chromium,
                profile,
                "query Doctors { doctors { id name patients } }",
                "doctor 3",
                cwd=PEERS,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode(errors="replace")
    seen = json.loads(out)
    # Nothing left the machine: every request the page made went to the router.
    router = urlsplit(edge.url).netloc
    assert seen["requests"]
    assert {urlsplit(url).netloc for url in seen["requests"]} == {router}
    assert any("/graphiql/graphiql.min.js" in url for url in seen["requests"])
    assert "query: Query" in seen["docs"]
    assert "Doctor" in seen["docs"]
    result = json.loads(seen["result"])
    assert result["data"]["doctors"][2] == {"id": "3", "name": "doctor 3", "patients": 30}
