"""`predicthealth dev`: the whole system in one process tree, stopped cleanly by Ctrl-C."""

from __future__ import annotations

import asyncio
import signal
import time
from types import FrameType
from urllib.parse import urlsplit

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy.ext.asyncio import create_async_engine

from subgraphs.kit.infra import resolve_infrastructure
from subgraphs.kit.migrations import migrate
from subgraphs.kit.principal import Role
from subgraphs.kit.processes import Child, Supervisor, python_module
from subgraphs.kit.seeding import DEMO_LOGINS, DEMO_PASSWORD, SeedPlan, is_seeded, seed, wipe
from subgraphs.kit.settings import SUBGRAPHS, Settings, get_settings

__all__ = ["migrate_all", "run_dev", "seed_database"]


def migrate_all(database_url: str) -> None:
    for name in SUBGRAPHS:
        migrate(name, database_url)


async def seed_database(
    console: Console, database_url: str, plan: SeedPlan, *, reset: bool, only_if_empty: bool
) -> bool:
    """Seed with a progress bar. False when data exists and neither reset nor a no-op was asked."""
    engine = create_async_engine(database_url)
    try:
        if reset:
            await wipe(engine)
        elif await is_seeded(engine):
            if only_if_empty:
                console.print("demo data already present: reusing it")
                return True
            return False
        started = time.perf_counter()
        columns = (
            TextColumn("{task.description:>12}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=False) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(step: str, done: int, total: int) -> None:
                if step not in tasks:
                    tasks[step] = bar.add_task(step, total=total)
                bar.update(tasks[step], completed=done)

            counts = await seed(engine, plan, progress)
        summary = ", ".join(f"{v:,} {k}" for k, v in counts.items())
        console.print(f"seeded {summary} in {time.perf_counter() - started:.1f}s")
        return True
    finally:
        await engine.dispose()


def _port(url: str) -> int:
    port = urlsplit(url).port
    if port is None:
        raise RuntimeError(f"service URL {url!r} names no port")
    return port


def _banner(console: Console, settings: Settings, *, with_router: bool, elapsed: float) -> None:
    table = Table(
        title="Demo logins (password for all: " + DEMO_PASSWORD + ")", title_justify="left"
    )
    table.add_column("role")
    table.add_column("email")
    for role, email in DEMO_LOGINS.items():
        table.add_row(role, email)
    console.print(table)
    for name in SUBGRAPHS:
        console.print(f"  {name:<13} {settings.service_url(name)}")
    if with_router:
        console.print(f"\n[bold green]GraphiQL:[/] {settings.router_url}")
    console.print(f"ready in {elapsed:.1f}s — Ctrl-C stops everything")


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_dev(console: Console, *, patients: int, reset: bool, with_router: bool) -> int:
    started = time.perf_counter()
    settings = get_settings()
    # Also when started with SIGINT ignored (background jobs of non-interactive shells, nohup).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _raise_interrupt)
    infra = resolve_infrastructure(settings)
    console.print(f"using {infra.describe()}")
    supervisor = Supervisor(
        env={
            "DATABASE_URL": infra.database_url,
            "REDIS_URL": infra.redis_url,
            "ENVIRONMENT": settings.environment,
            "LOG_JSON": "false",
            "DATA_DIR": str(settings.data_dir.resolve()),
            # The router asks the auth service about revocations with it (never on a command line).
            "SERVICE_TOKEN": settings.service_token,
            **{f"{n.upper()}_SERVICE_URL": settings.service_url(n) for n in SUBGRAPHS},
        }
    )
    try:
        migrate_all(infra.database_url)
        plan = SeedPlan(patients=patients, rounds=settings.bcrypt_rounds)
        asyncio.run(
            seed_database(console, infra.database_url, plan, reset=reset, only_if_empty=True)
        )
        # Auth first: the others fetch its signing keys at their first authenticated request.
        children = [
            Child(
                name,
                python_module(
                    "subgraphs.kit.cli",
                    "subgraph",
                    name,
                    "--port",
                    str(_port(settings.service_url(name))),
                ),
                f"http://127.0.0.1:{_port(settings.service_url(name))}/health",
            )
            for name in SUBGRAPHS
        ]
        for child in children:
            supervisor.start(child)
        supervisor.wait_healthy(children)
        if with_router:
            from subgraphs.kit.schema_files import compose_live

            supergraph = settings.data_dir.resolve() / "supergraph.graphql"
            supergraph.write_text(asyncio.run(compose_live(settings)))
            router = Child(
                "router",
                python_module(
                    "router",
                    "--supergraph",
                    str(supergraph),
                    "--port",
                    str(_port(settings.router_url)),
                    # Our system's tokens: verified (and revocation checked) at the router too.
                    "--jwks-url",
                    settings.jwks_url(),
                    "--jwt-issuer",
                    settings.jwt_issuer,
                    "--jwt-audience",
                    settings.jwt_audience,
                    "--jwt-roles",
                    ",".join(r.value for r in Role if r is not Role.SERVICE),
                    "--redis-url",
                    infra.redis_url,
                    "--redis-prefix",
                    settings.redis_prefix,
                    "--auth-service-url",
                    settings.auth_service_url,
                ),
                f"http://127.0.0.1:{_port(settings.router_url)}/health",
            )
            supervisor.start(router)
            supervisor.wait_healthy([router])
        _banner(console, settings, with_router=with_router, elapsed=time.perf_counter() - started)
        dead = supervisor.watch()
        console.print(f"[red]{dead.name} exited; stopping everything[/]")
        return 1
    except KeyboardInterrupt:
        console.print("\nstopping…")
        return 0
    except RuntimeError as exc:
        console.print(f"[bold red]error:[/] {exc}")
        return 1
    finally:
        # One Ctrl-C can arrive twice (the terminal signals the whole process group, and `uv run`
        # forwards it too): a second interrupt here cut the clean-up short and left the
        # embedded PostgreSQL and Redis running. Stopping is bounded (stop_all kills after 10 s).
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
        supervisor.stop_all()
        if infra.started_embedded and infra.embedded is not None:
            infra.embedded.stop()
        console.print("stopped")
