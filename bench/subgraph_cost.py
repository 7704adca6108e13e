"""What one request costs a subgraph process: latency and CPU per request, cheap cases only.

    uv run python bench/subgraph_cost.py [--requests 300] [--rounds 1] [CASE ...]

Against `ph_bench` (`bench/dataset.py`) with the five subgraphs as processes (as
`bench/database.py`), each case is sent sequentially (c=1) with the service credential, and the
serving process's CPU time (user + system, from /proc) is read before and after: CPU per
request is the steadier figure on a shared machine, where latency percentiles swing 2x between
identical rounds. Cases: a first page of patients, a patient name search, a doctor name search,
`_entities` for one patient, and `{ __typename }` (the pipeline with no resolver at all).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.database import (  # noqa: E402
    DOCTOR_PAGE,
    PATIENT_ENTITIES,
    PATIENT_PAGE,
    REDIS_URL,
    percentile,
)
from bench.dataset import ensure_dataset  # noqa: E402
from bench.services import HEADERS, running_subgraphs  # noqa: E402

__all__ = ["main"]

PATIENT_TERMS = ["García", "Hernández", "López", "Martínez", "María", "José", "arci", "erna"]
DOCTOR_TERMS = ["Gar", "Lop", "Mart", "Hern"]


def _cases(patient_ids: list[str]) -> dict[str, tuple[str, str, list[dict[str, Any]]]]:
    return {
        "patients_first_page": (
            "patients", PATIENT_PAGE, [{"s": {"field": "NAME", "direction": "ASC"}}]
        ),
        "patients_name_search": (
            "patients", PATIENT_PAGE, [{"f": {"name": t}} for t in PATIENT_TERMS]
        ),
        "doctors_name_search": ("doctors", DOCTOR_PAGE, [{"f": {"name": t}} for t in DOCTOR_TERMS]),
        "patients_entities_1": (
            "patients", PATIENT_ENTITIES,
            [{"r": [{"__typename": "Patient", "id": i}]} for i in patient_ids],
        ),
        "typename": ("patients", "{ __typename }", [{}]),
    }  # fmt: skip


def _cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") * 1000


async def _post(client: httpx.AsyncClient, url: str, query: str, variables: Any) -> None:
    body = orjson.dumps({"query": query, "variables": variables})
    response = await client.post(url, content=body, headers=HEADERS)
    data = orjson.loads(response.content)
    if response.status_code != 200 or data.get("errors"):
        raise RuntimeError(f"{response.status_code} {str(data)[:300]}")


async def _run(args: argparse.Namespace, database_url: str) -> None:
    engine = create_async_engine(database_url)
    async with engine.connect() as conn:
        ids = (await conn.scalars(text(
            "SELECT id FROM patients.patients ORDER BY md5(id::text) LIMIT 50"
        ))).all()  # fmt: skip
    await engine.dispose()
    cases = _cases([str(i) for i in ids])
    chosen = args.cases or list(cases)
    workdir = Path(tempfile.mkdtemp(prefix="ph-bench-cost-"))
    with running_subgraphs(database_url, REDIS_URL, workdir, redis_prefix="bench-cost:") as sgs:
        async with httpx.AsyncClient(timeout=60) as client:
            for round_ in range(1, args.rounds + 1):
                for name in chosen:
                    subgraph, query, variables = cases[name]
                    url, pid = sgs[subgraph].url, sgs[subgraph].popen.pid
                    for v in variables[:5]:  # warm up
                        await _post(client, url, query, v)
                    cpu_before, times = _cpu_ms(pid), []
                    for i in range(args.requests):
                        started = time.perf_counter()
                        await _post(client, url, query, variables[i % len(variables)])
                        times.append((time.perf_counter() - started) * 1000)
                    cpu = (_cpu_ms(pid) - cpu_before) / len(times)
                    print(
                        f"round {round_} {name:22s} p50 {percentile(times, 50):6.2f} ms  "
                        f"p95 {percentile(times, 95):6.2f} ms  CPU/request {cpu:5.2f} ms  "
                        f"(load {os.getloadavg()[0]:.1f})",
                        flush=True,
                    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    parser.add_argument("--requests", type=int, default=300, help="measured requests per case")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    asyncio.run(_run(args, ensure_dataset()))


if __name__ == "__main__":
    main()
