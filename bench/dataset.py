"""The benchmark data set: a `ph_bench` database with 1,000,000 patients, migrated and seeded once.

    uv run python bench/dataset.py [--patients 1000000] [--doctors 20000] [--institutions 2000] [--reset]

`ensure_dataset()` returns the database URL for benchmarks. The database lives on the server of
`$DATABASE_URL`; it is always migrated to head (cheap when current, so new index revisions apply
to an existing data set) and seeded with the kit's deterministic COPY seeding only when the
marker table `public.bench_dataset` does not already record the same parameters (~80 s per
million patients on this machine). The seed is fixed, so the same parameters give the same rows
(dates are relative to the day of seeding).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from subgraphs.kit.devserver import migrate_all  # noqa: E402
from subgraphs.kit.seeding import SeedPlan, seed, wipe  # noqa: E402

__all__ = ["BENCH_DATABASE", "DEFAULT_SERVER", "ensure_dataset", "main", "server_url"]

DEFAULT_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
BENCH_DATABASE = "ph_bench"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def server_url() -> str:
    return os.environ.get("DATABASE_URL", DEFAULT_SERVER)


def bench_url(database: str = BENCH_DATABASE) -> str:
    url = make_url(server_url()).set(database=database)
    return url.render_as_string(hide_password=False)


async def _create_database(database: str) -> None:
    admin = create_async_engine(server_url(), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}
            )
            if not exists:
                log(f"creating database {database}")
                await conn.execute(text(f'CREATE DATABASE "{database}"'))
    finally:
        await admin.dispose()


async def _seeded_with(url: str) -> str | None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            if await conn.scalar(text("SELECT to_regclass('public.bench_dataset')")) is None:
                return None
            value = await conn.scalar(text("SELECT parameters FROM public.bench_dataset"))
            return str(value) if value is not None else None
    finally:
        await engine.dispose()


async def _seed(url: str, plan: SeedPlan, parameters: str) -> None:
    engine = create_async_engine(url)
    last = {"step": "", "at": 0.0}

    def progress(step: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if step != last["step"] or done == total or now - float(last["at"]) > 5:
            last.update(step=step, at=now)
            log(f"  {step:>12}: {done:,}/{total:,}")

    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP TABLE IF EXISTS public.bench_dataset"))
        await wipe(engine)
        started = time.perf_counter()
        counts = await seed(engine, plan, progress)
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE public.bench_dataset (parameters text NOT NULL)"))
            await conn.execute(
                text("INSERT INTO public.bench_dataset VALUES (:p)"), {"p": parameters}
            )
            # Visibility map and statistics for every table, so index-only scans work at once.
            await conn.execute(text("ANALYZE"))
        summary = ", ".join(f"{v:,} {k}" for k, v in counts.items())
        log(f"seeded {summary} in {time.perf_counter() - started:.1f}s")
    finally:
        await engine.dispose()


async def _vacuum(url: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text("VACUUM ANALYZE"))
    finally:
        await engine.dispose()


def ensure_dataset(
    patients: int = 1_000_000,
    doctors: int = 20_000,
    institutions: int = 2_000,
    *,
    reset: bool = False,
    database: str = BENCH_DATABASE,
) -> str:
    """Create, migrate and (only if needed) seed the benchmark database; return its URL."""
    plan = SeedPlan(patients=patients, doctors=doctors, institutions=institutions)
    parameters = (
        f"patients={patients} doctors={doctors} institutions={institutions} seed={plan.seed}"
    )
    url = bench_url(database)
    asyncio.run(_create_database(database))
    started = time.perf_counter()
    migrate_all(url)
    log(f"migrated {database} to head in {time.perf_counter() - started:.1f}s")
    if not reset and asyncio.run(_seeded_with(url)) == parameters:
        log(f"reusing {database} ({parameters})")
        return url
    log(f"seeding {database} ({parameters})")
    asyncio.run(_seed(url, plan, parameters))
    log("VACUUM ANALYZE (index-only scans need the visibility map)")
    asyncio.run(_vacuum(url))
    return url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--doctors", type=int, default=20_000)
    parser.add_argument("--institutions", type=int, default=2_000)
    parser.add_argument("--database", default=BENCH_DATABASE)
    parser.add_argument("--reset", action="store_true", help="seed again even if already seeded")
    args = parser.parse_args(argv)
    url = ensure_dataset(
        args.patients, args.doctors, args.institutions, reset=args.reset, database=args.database
    )
    print(url)


if __name__ == "__main__":
    main()
