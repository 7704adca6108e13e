"""Benchmark 4: the N+1 guard — SQL statements per GraphQL request as lists grow, at 1M patients.

    uv run python bench/nplus1.py

The five subgraphs and our router run in this process against `ph_bench` (`bench/dataset.py`),
each subgraph's engine hooked like the tests do (`tests/support/stack.py`: statements made
while serving a request). Every representative query runs at several list sizes; the count per
subgraph must not move with the size (the tests in `tests/patients/test_statement_counts.py`
and `tests/directory/test_n_plus_one.py` assert it). Writes `bench/results/nplus1.md`.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.dataset import BENCH_DATABASE, ensure_dataset, log, server_url  # noqa: E402
from bench.services import SERVICE_TOKEN  # noqa: E402
from router.app import create_app  # noqa: E402
from subgraphs.kit.embedded import free_port  # noqa: E402
from subgraphs.kit.schema_files import compose_live  # noqa: E402
from subgraphs.kit.seeding import DEMO_LOGINS  # noqa: E402
from tests.support.infra import TestInfra  # noqa: E402
from tests.support.stack import SubgraphStack, start_stack  # noqa: E402
from tests.support.tokens import auth_headers  # noqa: E402

__all__ = ["QUERIES", "Query", "main"]

RESULTS = ROOT / "bench" / "results"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass(frozen=True)
class Query:
    name: str
    target: str  # "router" or a subgraph name
    document: str
    sizes: tuple[int, ...]
    #: What one size means, and the variables for it (given the data set's ids).
    unit: str
    kind: str = "list"


DOCTOR_PATIENTS = """query($n: Int!) { doctors(first: $n) { edges { node { lastName patientCount
  patients(first: 10) { edges { node { id lastName age emergencyContacts { name } } } } } } } }"""
INSTITUTION_TREE = """query($n: Int!) { institutions(first: $n) { edges { node { name
  doctors(first: 10) { edges { node { lastName specialty { name } patientCount
    patients(first: 5) { edges { node { id lastName } } } } } } } } } }"""
PATIENTS_JOINED = """query($n: Int!) { patients(first: $n) { edges { node { lastName
  doctor { lastName specialty { name } institution { name } } institution { name region } } } } }"""
PATIENT_ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Patient { id lastName age validationStatus emergencyContacts { name } } } }"""
DOCTOR_ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Doctor { id lastName specialty { name } secondarySpecialty { name } } } }"""
DOCTOR_PATIENT_ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Doctor { patientCount patients(first: 5) { edges { node { id lastName } } } } } }"""

QUERIES: tuple[Query, ...] = (
    Query("doctor → patients (router)", "router", DOCTOR_PATIENTS, (1, 10, 100), "doctors"),
    Query("institution → doctors → patients (router)", "router", INSTITUTION_TREE, (1, 10, 50),
          "institutions"),
    Query("patients + doctor + institution (router)", "router", PATIENTS_JOINED, (10, 50, 100),
          "patients"),
    Query("Patient _entities", "patients", PATIENT_ENTITIES, (10, 100, 1000), "keys", "Patient"),
    Query("Doctor _entities", "doctors", DOCTOR_ENTITIES, (10, 100, 1000), "keys", "Doctor"),
    Query("Doctor _entities → patients", "patients", DOCTOR_PATIENT_ENTITIES, (10, 100, 1000),
          "keys", "Doctor"),
)  # fmt: skip


@dataclass
class Row:
    query: Query
    size: int
    counts: dict[str, int]
    ms: float
    returned: int


def _returned(data: Any) -> int:
    """Objects in the answer (a rough measure of how much the lists grew)."""
    if isinstance(data, dict):
        return 1 + sum(_returned(v) for v in data.values())
    if isinstance(data, list):
        return sum(_returned(v) for v in data)
    return 0


async def _ids(url: str) -> dict[str, list[str]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            patients = await conn.scalars(text("SELECT id FROM patients.patients LIMIT 1000"))
            doctors = await conn.scalars(text("SELECT id FROM doctors.doctors LIMIT 1000"))
            return {"Patient": [str(i) for i in patients], "Doctor": [str(i) for i in doctors]}
    finally:
        await engine.dispose()


async def _run(stack: SubgraphStack, router_url: str, ids: dict[str, list[str]]) -> list[Row]:
    rows: list[Row] = []
    async with httpx.AsyncClient(timeout=120) as http:
        admin = await auth_headers(stack, http, role="admin", email=DEMO_LOGINS["admin"])
        relays = [stack.apps[n].state.audit.relay for n in ("patients", "doctors", "institutions")]
        for relay in relays:  # they share the engines: only the requests' own SQL is counted
            await asyncio.to_thread(stack.servers.run, relay.stop())
        for query in QUERIES:
            url = router_url if query.target == "router" else stack.url(query.target)
            # The smallest size once uncounted: first-use work (plan cache, key fetches) aside.
            for warm_up, size in [(True, query.sizes[0])] + [(False, n) for n in query.sizes]:
                variables: dict[str, Any] = {"n": size}
                if query.kind != "list":
                    reps = [{"__typename": query.kind, "id": i} for i in ids[query.kind][:size]]
                    variables = {"r": reps}
                body = orjson.dumps({"query": query.document, "variables": variables})
                headers = {**admin, "content-type": "application/json"}
                with stack.statements.counting() as counts:
                    started = time.perf_counter()
                    response = await http.post(url, content=body, headers=headers)
                    ms = (time.perf_counter() - started) * 1000
                answer = orjson.loads(response.content)
                if answer.get("errors"):
                    raise RuntimeError(f"{query.name} at {size}: {answer['errors'][:2]}")
                if warm_up:
                    continue
                rows.append(Row(query, size, dict(counts), ms, _returned(answer["data"])))
                log(f"{query.name} {size}: {dict(counts)} ({ms:.0f} ms)")
    return rows


def _report(rows: Sequence[Row], started: datetime.datetime) -> str:
    lines = [
        "# Benchmark 4: SQL statements per GraphQL request (N+1 guard)",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC against `ph_bench` (1,000,000 patients, 20,000 "
        "doctors, 2,000 institutions) as the demo admin. Statements counted per subgraph while "
        "it served the request (the tests' counter, `tests/support/stack.py`); single requests, "
        "so the latency column is indicative only. `constant` compares every size of a query.",
        "",
        "| query | size | objects returned | statements per subgraph | total | constant | ms |",
        "|---|---:|---:|---|---:|---|---:|",
    ]
    for row in rows:
        same = [r for r in rows if r.query is row.query]
        constant = "yes" if all(r.counts == same[0].counts for r in same) else "**no**"
        per = ", ".join(f"{k} {v}" for k, v in sorted(row.counts.items()))
        lines.append(f"| {row.query.name} | {row.size:,} {row.query.unit} | {row.returned:,} | "
                     f"{per} | {sum(row.counts.values())} | {constant} | {row.ms:.0f} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    del argv
    database_url = ensure_dataset()
    infra = TestInfra(server_url=server_url(), database_url=database_url,
                      database_name=BENCH_DATABASE, redis_url=REDIS_URL,
                      redis_prefix="bench-nplus1:")  # fmt: skip
    # The auth subgraph's signing keys in ph_bench are encrypted under the benchmarks' token.
    os.environ["SERVICE_TOKEN"] = SERVICE_TOKEN
    started = datetime.datetime.now(datetime.UTC)
    ids = asyncio.run(_ids(database_url))
    stack = start_stack(infra)
    try:
        supergraph = stack.servers.run(compose_live(stack.settings), timeout=120)
        port = free_port(0)
        stack.servers.serve(create_app(supergraph), port)
        stack.servers.wait_started()
        rows = asyncio.run(_run(stack, f"http://127.0.0.1:{port}/graphql", ids))
    finally:
        stack.servers.stop()
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = _report(rows, started)
    (RESULTS / "nplus1.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
