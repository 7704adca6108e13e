"""Benchmark 3: the database at scale — 1,000,000 patients, 20,000 doctors, 2,000 institutions.

    uv run python bench/database.py [--requests 200] [--only patients_name]

Against `ph_bench` (`bench/dataset.py`), with the five subgraphs running as processes, each case
is a GraphQL request to the subgraph that owns it (service credential, sequential, c=1): name
search, filtered first pages, deep keyset pages (cursors at 10k…900k rows, no OFFSET anywhere),
statistics (cold: generations advanced before each request, as a write would; and warm) and
`_entities` batches of 1,000 keys. Reports p50/p95/p99 per case, then runs each case once more
inside this process with the subgraph's engine hooked, to capture its exact SQL: every read is
re-timed directly (p50/p95 over 30 runs) and explained with EXPLAIN (ANALYZE, BUFFERS).

Writes `bench/results/database.md` (table) and `bench/results/database_explain.md` (plans).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import gc
import os
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.dataset import ensure_dataset, log  # noqa: E402
from bench.services import HEADERS, SERVICE_TOKEN, running_subgraphs  # noqa: E402
from subgraphs.kit.keyset import encode_cursor  # noqa: E402

__all__ = ["Case", "build_cases", "main", "percentile"]

RESULTS = ROOT / "bench" / "results"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
REDIS_PREFIX = "bench-db:"
SQL_RUNS = 30


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


@dataclass
class Case:
    """One GraphQL request shape; `variables` are rotated through, one set per request."""

    name: str
    group: str
    subgraph: str
    query: str
    variables: list[dict[str, Any]]
    target_ms: float | None = None
    #: Called before each request (e.g. invalidate the statistics cache for a cold figure).
    before: Callable[[], Awaitable[None]] | None = None
    requests: int | None = None
    times: list[float] = field(default_factory=list)
    statements: list[tuple[str, Any]] = field(default_factory=list)
    sql_times: list[float] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)
    check: Callable[[dict[str, Any]], None] | None = None


PATIENT_PAGE = """query($f: PatientFilterInput, $s: PatientSortInput, $after: String) {
  patients(first: 20, filter: $f, sort: $s, after: $after) {
    edges { node { id firstName lastName dateOfBirth gender validationStatus } }
    pageInfo { hasNextPage endCursor } } }"""
# Patients have no totalCount on the connection: the count is a sibling root field.
PATIENT_PAGE_TOTAL = PATIENT_PAGE[:-1] + " patientCount(filter: $f) }"
DOCTOR_PAGE = """query($f: DoctorFilterInput, $s: DoctorSortInput, $after: String) {
  doctors(first: 20, filter: $f, sort: $s, after: $after) {
    edges { node { id firstName lastName specialty { name } } }
    pageInfo { hasNextPage endCursor } } }"""
INSTITUTION_PAGE = """query($f: InstitutionFilterInput) { institutions(first: 20, filter: $f) {
    edges { node { id name region } } pageInfo { hasNextPage endCursor } } }"""
PATIENT_ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Patient { id firstName lastName dateOfBirth validationStatus } } }"""
DOCTOR_ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Doctor { id firstName lastName medicalLicense specialty { name } } } }"""
DOCTOR_PATIENTS = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Doctor { patientCount patients(first: 5) { edges { node { id lastName } } } } } }"""
INSTITUTION_ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Institution { id name region } } }"""
PATIENT_STATS = """query($f: PatientFilterInput) { patientStatistics(filter: $f) { total newLast30Days
  byGender { key count } byValidationStatus { key count } byAgeBand { key count } } }"""
PATIENT_STATS_DOCTORS = """{ patientStatistics { total byDoctor { key count } } }"""
DOCTOR_STATS = """{ doctorStatistics { total active bySpecialty { count }
  byInstitution { count } byStatus { status count } byLicenseStatus { count } } }"""
INSTITUTION_STATS = """{ institutionStatistics { total verified active byType { count }
  byRegion { count } newPerMonth { count } } }"""
USER_COUNTS = "{ userCounts { total byRole { role count } } }"
SYSTEM_STATS = """{ systemStatistics { usersByRole { key count } patients { key count }
  patientsByGender { key count } doctors { key count } institutions { key count } } }"""


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(text(sql), params)).all())


async def _fixtures(engine: AsyncEngine) -> dict[str, Any]:
    """Ids, name terms and deep cursor keys drawn from the data set (setup only: OFFSET is fine
    here, it is never part of a measured request)."""
    got: dict[str, Any] = {}
    common = await _rows(engine, "SELECT last_name FROM patients.patients GROUP BY 1 "
                         "ORDER BY count(*) DESC, 1 LIMIT 200")  # fmt: skip
    first = await _rows(engine, "SELECT first_name FROM patients.patients GROUP BY 1 ORDER BY 1")
    surnames = [r[0] for r in common]
    # Whole surnames (~1,300 matches each), first names, and 4-letter fragments (broader).
    got["patient_terms"] = (
        surnames[::40] + [r[0] for r in first[::115]] + [s[1:5].lower() for s in surnames[5::40]]
    )
    doc_last = await _rows(engine, "SELECT DISTINCT last_name FROM doctors.doctors ORDER BY 1")
    got["doctor_terms"] = [r[0] for r in doc_last[::80]] + [r[0][:4] for r in doc_last[40::160]]
    got["institution_terms"] = ["hospital", "centro", "clínica", "farmacia", "salud"]
    got["doctors"] = [str(r[0]) for r in await _rows(
        engine, "SELECT id FROM doctors.doctors ORDER BY md5(id::text) LIMIT 5000")]  # fmt: skip
    got["institutions"] = [str(r[0]) for r in await _rows(
        engine, "SELECT id FROM institutions.institutions ORDER BY md5(id::text)")]  # fmt: skip
    got["patients"] = [str(r[0]) for r in await _rows(
        engine, "SELECT id FROM patients.patients ORDER BY md5(id::text) LIMIT 5000")]  # fmt: skip
    got["specialties"] = [str(r[0]) for r in await _rows(
        engine, "SELECT id FROM doctors.specialties ORDER BY name")]  # fmt: skip
    cursors: list[str] = []
    for offset in (10_000, 100_000, 500_000, 900_000):
        (row,) = await _rows(
            engine, "SELECT last_name, first_name, id FROM patients.patients "
            "ORDER BY last_name, first_name, id OFFSET :o LIMIT 1", o=offset,
        )  # fmt: skip
        cursors.append(encode_cursor("name:asc", list(row)))
    got["patient_name_cursors"] = cursors
    created: list[str] = []
    for offset in (10_000, 500_000, 900_000):
        (row,) = await _rows(
            engine, "SELECT created_at, id FROM patients.patients "
            "ORDER BY created_at DESC, id DESC OFFSET :o LIMIT 1", o=offset,
        )  # fmt: skip
        created.append(encode_cursor("created_at:desc", list(row)))
    got["patient_created_cursors"] = created
    doctor_cursors: list[str] = []
    for offset in (5_000, 15_000):
        (row,) = await _rows(
            engine, "SELECT last_name, first_name, id FROM doctors.doctors "
            "ORDER BY last_name, first_name, id OFFSET :o LIMIT 1", o=offset,
        )  # fmt: skip
        doctor_cursors.append(encode_cursor("name:asc", list(row)))
    got["doctor_name_cursors"] = doctor_cursors
    return got


def _batches(ids: Sequence[str], typename: str, size: int = 1000) -> list[dict[str, Any]]:
    return [
        {"r": [{"__typename": typename, "id": i} for i in ids[start : start + size]]}
        for start in range(0, len(ids) - size + 1, size)
    ]


def build_cases(fx: dict[str, Any], clear_stats: Callable[[], Awaitable[None]]) -> list[Case]:
    docs, insts = fx["doctors"], fx["institutions"]
    name_sort = {"field": "NAME", "direction": "ASC"}
    newest = {"field": "CREATED_AT", "direction": "DESC"}
    # fmt: off
    return [
        # --- name search ---
        Case("patients: name search, first page", "name search", "patients", PATIENT_PAGE,
             [{"f": {"name": t}} for t in fx["patient_terms"]], 50),
        Case("patients: name search + patientCount (exact count)", "name search", "patients",
             PATIENT_PAGE_TOTAL, [{"f": {"name": t}} for t in fx["patient_terms"]]),
        Case("doctors: name search, first page", "name search", "doctors", DOCTOR_PAGE,
             [{"f": {"name": t}} for t in fx["doctor_terms"]], 50),
        Case("institutions: name search", "name search", "institutions", INSTITUTION_PAGE,
             [{"f": {"name": t}} for t in fx["institution_terms"]], 50),
        # --- filtered first pages ---
        Case("patients: first page, no filter (name order)", "first page", "patients",
             PATIENT_PAGE, [{"s": name_sort}], 50),
        Case("patients: first page + patientCount of 1M (exact)", "first page", "patients",
             PATIENT_PAGE_TOTAL, [{"s": name_sort}]),
        Case("patients: one doctor's, newest first", "first page", "patients", PATIENT_PAGE,
             [{"f": {"doctorIds": [d]}, "s": newest} for d in docs[:200]], 50),
        Case("patients: one institution's, pending, by name", "first page", "patients",
             PATIENT_PAGE, [{"f": {"institutionIds": [i], "validationStatuses": ["PENDING"]}}
                            for i in insts[:200]], 50),
        Case("patients: gender OTHER, aged 30-40, newest", "first page", "patients", PATIENT_PAGE,
             [{"f": {"genders": ["OTHER"], "minAge": 30, "maxAge": 40}, "s": newest}], 50),
        Case("patients: one institution's + patientCount", "first page", "patients",
             PATIENT_PAGE_TOTAL, [{"f": {"institutionIds": [i]}} for i in insts[:200]], 50),
        Case("doctors: by specialty, by name", "first page", "doctors", DOCTOR_PAGE,
             [{"f": {"specialtyIds": [s]}, "s": name_sort} for s in fx["specialties"]], 50),
        # --- deep pages (keyset: the cursor is a WHERE on the index order) ---
        Case("patients: deep pages (10k-900k rows in, name order)", "deep page", "patients",
             PATIENT_PAGE, [{"s": name_sort, "after": c} for c in fx["patient_name_cursors"]], 50),
        Case("patients: deep pages (10k-900k rows in, newest first)", "deep page", "patients",
             PATIENT_PAGE, [{"s": newest, "after": c} for c in fx["patient_created_cursors"]], 50),
        Case("doctors: deep pages (5k, 15k rows in)", "deep page", "doctors", DOCTOR_PAGE,
             [{"s": name_sort, "after": c} for c in fx["doctor_name_cursors"]], 50),
        # --- entity batches (the router's `_entities` path) ---
        Case("patients: _entities x 1,000", "entities", "patients", PATIENT_ENTITIES,
             _batches(fx["patients"], "Patient")),
        Case("doctors: _entities x 1,000", "entities", "doctors", DOCTOR_ENTITIES,
             _batches(fx["doctors"], "Doctor")),
        Case("institutions: _entities x 1,000", "entities", "institutions", INSTITUTION_ENTITIES,
             _batches(insts, "Institution")),
        Case("patients: Doctor _entities x 1,000 (patientCount + 5 patients each)", "entities",
             "patients", DOCTOR_PATIENTS, _batches(fx["doctors"], "Doctor"), None),
        # --- statistics ---
        Case("patientStatistics, cold (as after a write)", "statistics", "patients", PATIENT_STATS,
             [{}], 200, clear_stats, requests=20),
        Case("patientStatistics, warm", "statistics", "patients", PATIENT_STATS, [{}], 200),
        Case("patientStatistics, one institution, warm", "statistics", "patients",
             PATIENT_STATS, [{"f": {"institutionIds": [i]}} for i in insts[:20]], 200),
        Case("patientStatistics byDoctor (20k groups, 1 MB), warm", "statistics", "patients",
             PATIENT_STATS_DOCTORS, [{}], 200),
        Case("patientStatistics byDoctor (20k groups, 1 MB), cold", "statistics", "patients",
             PATIENT_STATS_DOCTORS, [{}], 200, clear_stats, requests=20),
        Case("doctorStatistics", "statistics", "doctors", DOCTOR_STATS, [{}], 200),
        Case("doctorStatistics, cold", "statistics", "doctors", DOCTOR_STATS, [{}], 200,
             clear_stats, requests=20),
        Case("institutionStatistics", "statistics", "institutions", INSTITUTION_STATS, [{}], 200),
        Case("userCounts, cold", "statistics", "auth", USER_COUNTS, [{}], 200, clear_stats,
             requests=20),
        Case("systemStatistics (admins, via 4 subgraphs), warm", "statistics", "admins",
             SYSTEM_STATS, [{}], 200),
        Case("systemStatistics (admins, via 4 subgraphs), cold", "statistics", "admins",
             SYSTEM_STATS, [{}], 200, clear_stats, requests=20),
    ]
    # fmt: on


async def _post(
    client: httpx.AsyncClient, url: str, case: Case, variables: dict[str, Any]
) -> dict[str, Any]:
    body = orjson.dumps({"query": case.query, "variables": variables})
    response = await client.post(url, content=body, headers=HEADERS)
    data: dict[str, Any] = orjson.loads(response.content)
    if response.status_code != 200 or data.get("errors"):
        raise RuntimeError(f"{case.name}: {response.status_code} {str(data)[:500]}")
    return data


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Keep this client's own garbage collection out of a timed section: with the fixtures and
    the in-process apps of `_capture` alive, one full collection here took 100+ ms, which was
    then counted as the server's or the SQL's time. It runs when the section ends."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def _measure(client: httpx.AsyncClient, url: str, case: Case, requests: int) -> None:
    n = case.requests or requests
    for variables in case.variables[: min(3, len(case.variables))]:  # warm up
        await _post(client, url, case, variables)
    for i in range(n):
        variables = case.variables[i % len(case.variables)]
        if case.before is not None:
            await case.before()
        with _collector_paused():
            started = time.perf_counter()
            await _post(client, url, case, variables)
            case.times.append((time.perf_counter() - started) * 1000)


async def _capture(cases: Sequence[Case], database_url: str, ports: dict[str, int]) -> None:
    """Serve each case once in-process with the engine hooked, to record its exact SQL."""
    from subgraphs.kit.app import create_subgraph_app
    from subgraphs.kit.logs import REQUEST_ID
    from subgraphs.kit.registry import load_definition
    from subgraphs.kit.settings import Settings

    urls = {f"{n}_service_url": f"http://127.0.0.1:{p}/graphql" for n, p in ports.items()}
    settings = Settings(
        environment="development", database_url=database_url, redis_url=REDIS_URL,
        redis_prefix=REDIS_PREFIX, service_token=SERVICE_TOKEN, log_level="WARNING", **urls,
    )  # fmt: skip
    recording: list[list[tuple[str, Any]]] = []  # the current case's list, while one runs

    def before(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        if recording and REQUEST_ID.get() is not None:
            recording[0].append((statement, params))

    for name in sorted({c.subgraph for c in cases}):
        app = create_subgraph_app(load_definition(name), settings=settings)
        async with app.router.lifespan_context(app):
            event.listen(app.state.engine.sync_engine, "before_cursor_execute", before)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                for case in (c for c in cases if c.subgraph == name):
                    if case.before is not None:
                        await case.before()
                    recording.append(case.statements)
                    await _post(client, "http://bench/graphql", case, case.variables[0])
                    recording.clear()


def _is_read(statement: str) -> bool:
    return statement.lstrip().upper().startswith(("SELECT", "WITH"))


async def _explain(engine: AsyncEngine, cases: Sequence[Case]) -> None:
    """Plans and direct timings of the reads; writes (the audit record of a patient read) are
    counted but neither explained nor re-run."""
    async with engine.connect() as conn:
        for case in cases:
            reads = [(s, p) for s, p in case.statements if _is_read(s)]
            for statement, params in case.statements:
                if not _is_read(statement):
                    case.plans.append("(a write: not re-run)")
                    continue
                result = await conn.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, params
                )
                case.plans.append("\n".join(r[0] for r in result.all()))
            for _ in range(SQL_RUNS if reads else 0):
                with _collector_paused():
                    started = time.perf_counter()
                    for statement, params in reads:
                        await conn.exec_driver_sql(statement, params)
                    case.sql_times.append((time.perf_counter() - started) * 1000)
            await conn.rollback()


def _status(case: Case) -> str:
    if case.target_ms is None:
        return "—"
    return "ok" if percentile(case.times, 95) < case.target_ms else "**over**"


def _report(cases: Sequence[Case], started: datetime.datetime, seconds: float) -> str:
    lines = [
        "# Benchmark 3: the database at scale",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC, {seconds:.0f} s; 1,000,000 patients, 20,000 doctors, "
        "2,000 institutions (`bench/dataset.py`), PostgreSQL "
        f"{os.environ.get('BENCH_PG_VERSION', '')}. Requests are sequential GraphQL POSTs to the "
        "owning subgraph process (service credential); `SQL` is the request's own statements "
        f"re-run directly ({SQL_RUNS} runs, sum per request). Plans: "
        "[`database_explain.md`](database_explain.md).",
        "",
        "| group | case | n | p50 ms | p95 ms | p99 ms | statements | SQL p50 ms | SQL p95 ms "
        "| target p95 | status |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for c in cases:
        sql50 = f"{percentile(c.sql_times, 50):.2f}" if c.sql_times else "—"
        sql95 = f"{percentile(c.sql_times, 95):.2f}" if c.sql_times else "—"
        target = f"< {c.target_ms:.0f}" if c.target_ms else "—"
        lines.append(
            f"| {c.group} | {c.name} | {len(c.times)} | {percentile(c.times, 50):.2f} | "
            f"{percentile(c.times, 95):.2f} | {percentile(c.times, 99):.2f} | "
            f"{len(c.statements)} | {sql50} | {sql95} | {target} | {_status(c)} |"
        )
    return "\n".join(lines) + "\n"


def _plans(cases: Sequence[Case], started: datetime.datetime) -> str:
    out = [
        "# Benchmark 3: query plans",
        "",
        f"EXPLAIN (ANALYZE, BUFFERS) of every statement each case sent ({started:%Y-%m-%d %H:%M} "
        "UTC), captured from the subgraph's own engine with the case's first variables.",
        "",
    ]
    for c in cases:
        out += [
            f"## {c.name}",
            "",
            f"`{c.subgraph}` subgraph, {len(c.statements)} statement(s).",
            "",
        ]
        for (statement, params), plan in zip(c.statements, c.plans, strict=True):
            shown = str(params)
            shown = shown if len(shown) < 300 else shown[:300] + "…"
            out += ["```sql", statement.strip(), "```", f"parameters: `{shown}`", "", "```",
                    plan, "```", ""]  # fmt: skip
    return "\n".join(out)


async def _run(args: argparse.Namespace, database_url: str) -> None:
    import redis.asyncio as aioredis

    engine = create_async_engine(database_url)
    cache = aioredis.Redis.from_url(REDIS_URL)

    async def clear_stats() -> None:
        # What a write does: advance the generations (the subgraphs' in-process copies are keyed
        # by them too), and drop what Redis holds.
        async with engine.begin() as conn:
            for schema in ("patients", "doctors", "auth"):
                await conn.execute(text(f"SELECT nextval('{schema}.stats_generation')"))
        keys = [k async for k in cache.scan_iter(match=f"{REDIS_PREFIX}stats:*", count=1000)]
        if keys:
            await cache.delete(*keys)

    started = datetime.datetime.now(datetime.UTC)
    clock = time.perf_counter()
    try:
        version = await _rows(engine, "SHOW server_version")
        os.environ["BENCH_PG_VERSION"] = str(version[0][0])
        log("drawing ids, name terms and deep cursors")
        cases = build_cases(await _fixtures(engine), clear_stats)
        if args.only:
            cases = [c for c in cases if any(o.lower() in c.name.lower() for o in args.only)]
        await clear_stats()
        workdir = Path(tempfile.mkdtemp(prefix="ph-bench-db-"))
        with running_subgraphs(database_url, REDIS_URL, workdir,
                               redis_prefix=REDIS_PREFIX) as subgraphs:  # fmt: skip
            async with httpx.AsyncClient(timeout=120) as client:
                for case in cases:
                    await _measure(client, subgraphs[case.subgraph].url, case, args.requests)
                    log(f"{case.name}: p50 {percentile(case.times, 50):.2f} ms, "
                        f"p95 {percentile(case.times, 95):.2f} ms")  # fmt: skip
            RESULTS.mkdir(parents=True, exist_ok=True)
            (RESULTS / args.out.name).write_text(
                _report(cases, started, time.perf_counter() - clock)
            )
            log("capturing each case's SQL in-process")
            await _capture(cases, database_url, {n: s.port for n, s in subgraphs.items()})
        log("EXPLAIN (ANALYZE, BUFFERS) and direct SQL timings")
        await _explain(engine, cases)
    finally:
        await cache.aclose()
        await engine.dispose()
    RESULTS.mkdir(parents=True, exist_ok=True)
    seconds = time.perf_counter() - clock
    (RESULTS / args.out.name).write_text(_report(cases, started, seconds))
    (RESULTS / "database_explain.md").write_text(_plans(cases, started))
    print(_report(cases, started, seconds))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="measured requests per case")
    parser.add_argument("--only", nargs="*", help="run the cases whose name contains any of these")
    parser.add_argument(
        "--out", type=Path, default=Path("database.md"), help="file name in bench/results/"
    )
    args = parser.parse_args(argv)
    # Stop cleanly (the subgraph processes with us) on SIGTERM, and on SIGINT even when started
    # in the background, where the shell ignores it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    database_url = ensure_dataset()
    asyncio.run(_run(args, database_url))


if __name__ == "__main__":
    main()
