"""Automatic persisted queries (Apollo's protocol) and trusted-document safelisting."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from router.config import RouterConfig
from router.edge import PersistedQueryConfig, sha256_hex
from tests.edge.conftest import serve_edge

pytestmark = pytest.mark.asyncio(loop_scope="session")

# GET is a "simple" request: CSRF prevention wants a header that forces a browser preflight.
PREFLIGHT = {"apollo-require-preflight": "true"}

QUERY = "query Doctors { doctors(first: 2) { id name patients } }"
DATA = {
    "doctors": [
        {"id": "1", "name": "doctor 1", "patients": 10},
        {"id": "2", "name": "doctor 2", "patients": 20},
    ]
}


def _pq(query: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(query)}}


async def test_apq_round_trip_post_and_get() -> None:
    config = RouterConfig(persisted_queries=PersistedQueryConfig(manifests=()))
    async with serve_edge(config) as edge, httpx.AsyncClient() as http:
        # What Apollo Client's APQ link does: hash only, then hash + query on NOT_FOUND.
        miss = await http.post(edge.url, json={"extensions": _pq(QUERY)})
        assert miss.status_code == 200
        assert miss.json()["errors"] == [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
        assert edge.behaviours["doctors"].seen_bodies == []
        register = await http.post(edge.url, json={"query": QUERY, "extensions": _pq(QUERY)})
        assert register.json() == {"data": DATA}
        hit = await http.post(edge.url, json={"extensions": _pq(QUERY)})
        assert hit.json() == {"data": DATA}
        params = {"extensions": json.dumps(_pq(QUERY)), "operationName": "Doctors"}
        get = await http.get(edge.url, params=params, headers=PREFLIGHT)
        assert (get.status_code, get.json()) == (200, {"data": DATA})
        other = '{ doctor(id: "3") { name } }'
        get_miss = await http.get(
            edge.url, params={"extensions": json.dumps(_pq(other))}, headers=PREFLIGHT
        )
        assert get_miss.status_code == 200
        assert get_miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        persisted = edge.app.router.edge.persisted
        assert (persisted.apq_hits, persisted.apq_misses) == (2, 2)


async def test_apq_hash_mismatch_and_bad_version() -> None:
    config = RouterConfig(persisted_queries=PersistedQueryConfig(manifests=()))
    async with serve_edge(config) as edge, httpx.AsyncClient() as http:
        wrong = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
        mismatch = await http.post(edge.url, json={"query": QUERY, "extensions": wrong})
        assert mismatch.status_code == 400
        assert mismatch.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
        # Nothing was stored under the wrong hash.
        again = await http.post(edge.url, json={"extensions": wrong})
        assert again.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        v2 = {"persistedQuery": {"version": 2, "sha256Hash": sha256_hex(QUERY)}}
        bad = await http.post(edge.url, json={"query": QUERY, "extensions": v2})
        assert bad.status_code == 400
        code = bad.json()["errors"][0]["extensions"]["code"]
        assert code == "PERSISTED_QUERY_UNSUPPORTED_VERSION"


async def test_apq_mutation_over_get_is_405() -> None:
    mutation = 'mutation { rename(id: "1", name: "x") { name } }'
    config = RouterConfig(persisted_queries=PersistedQueryConfig(manifests=()))
    async with serve_edge(config) as edge, httpx.AsyncClient() as http:
        await http.post(edge.url, json={"query": mutation, "extensions": _pq(mutation)})
        get = await http.get(
            edge.url, params={"extensions": json.dumps(_pq(mutation))}, headers=PREFLIGHT
        )
        assert get.status_code == 405


def _manifest(tmp_path: Path, bodies: dict[str, str]) -> Path:
    operations = [
        {"id": sha256_hex(body), "name": name, "type": "query", "body": body}
        for name, body in bodies.items()
    ]
    path = tmp_path / "manifest.json"
    path.write_text(
        json.dumps(
            {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}
        )
    )
    return path


@pytest.mark.parametrize("safelist", [False, True])
async def test_trusted_documents(tmp_path: Path, safelist: bool) -> None:
    manifest = _manifest(tmp_path, {"Doctors": QUERY})
    pq = PersistedQueryConfig(manifests=(manifest,), safelist=safelist)
    async with serve_edge(RouterConfig(persisted_queries=pq)) as edge, httpx.AsyncClient() as http:
        by_id = await http.post(edge.url, json={"extensions": _pq(QUERY)})
        assert by_id.json() == {"data": DATA}
        body_match = await http.post(edge.url, json={"query": QUERY})
        assert body_match.json() == {"data": DATA}
        free = await http.post(edge.url, json={"query": "{ doctors { id } }"})
        unknown = await http.post(edge.url, json={"extensions": _pq("{ doctors { id } }")})
        if safelist:
            assert free.status_code == 400
            assert free.json()["errors"][0]["extensions"]["code"] == "QUERY_NOT_IN_SAFELIST"
            assert unknown.status_code == 400
            code = unknown.json()["errors"][0]["extensions"]["code"]
            assert code == "PERSISTED_QUERY_NOT_IN_LIST"
            # Registering a new APQ document is refused too: the manifest is the only source.
            other = "{ doctors { id } }"
            reg = await http.post(edge.url, json={"query": other, "extensions": _pq(other)})
            assert reg.json()["errors"][0]["extensions"]["code"] == "QUERY_NOT_IN_SAFELIST"
        else:
            assert free.status_code == 200
            assert "errors" not in free.json()
            code = unknown.json()["errors"][0]["extensions"]["code"]
            assert code == "PERSISTED_QUERY_NOT_FOUND"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(5)


async def test_apq_shared_across_replicas_through_redis(redis_url: str) -> None:
    pq = PersistedQueryConfig(manifests=(), redis_url=redis_url, redis_prefix="test:apq:")
    config = RouterConfig(persisted_queries=pq)
    async with (
        serve_edge(config) as one,
        serve_edge(config) as two,
        httpx.AsyncClient() as http,
    ):
        await http.post(one.url, json={"query": QUERY, "extensions": _pq(QUERY)})
        hit = await http.post(two.url, json={"extensions": _pq(QUERY)})
        assert hit.json() == {"data": DATA}
