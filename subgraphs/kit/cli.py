"""`predicthealth`: run, migrate, seed and inspect the whole system from one command."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from subgraphs.kit.settings import SERVICE_PORTS, SUBGRAPHS, get_settings

__all__ = ["app", "main"]

console = Console(stderr=True)
app = typer.Typer(
    name="predicthealth",
    help="PredictHealth Graph: five federated healthcare subgraphs and their router.\n\n"
    "Start everything with `predicthealth dev`. Without DATABASE_URL / REDIS_URL, embedded "
    "PostgreSQL and Redis run from the data folder (.predicthealth/).",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)
schema_app = typer.Typer(
    help="Export, check and compose the GraphQL schemas in schema/.", no_args_is_help=True
)
servers_app = typer.Typer(
    help="Manage the embedded PostgreSQL and Redis servers.", no_args_is_help=True
)
audit_app = typer.Typer(help="Check the append-only audit log.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")
app.add_typer(servers_app, name="servers")
admin_app = typer.Typer(help="Administrator accounts.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(admin_app, name="admin")
pq_app = typer.Typer(help="Persisted-query (trusted document) manifests.", no_args_is_help=True)
app.add_typer(pq_app, name="pq")

SubgraphName = Annotated[str, typer.Argument(help=f"One of: {', '.join(SUBGRAPHS)}.")]


def _fail(message: str) -> None:
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(1)


@app.command()
def dev(
    patients: Annotated[int, typer.Option(help="Patients to generate on first run.")] = 500,
    reset: Annotated[bool, typer.Option(help="Wipe all data and seed again.")] = False,
    router: Annotated[bool, typer.Option(help="Also run the router on port 4000.")] = True,
) -> None:
    """Run EVERYTHING: database, Redis, migrations, demo data, five subgraphs and the router."""
    from subgraphs.kit.devserver import run_dev

    sys.exit(run_dev(console, patients=patients, reset=reset, with_router=router))


@app.command("router")
def router_cmd(
    supergraph: Annotated[
        Path, typer.Option(help="Supergraph SDL file (Apollo's @join__ format).")
    ] = Path("schema/supergraph.graphql"),
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = SERVICE_PORTS["router"],
    explain: Annotated[
        Path | None,
        typer.Option(help="Print the query plan of the operation in this file and exit."),
    ] = None,
) -> None:
    """Run the federation router alone over any supergraph."""
    args = ["--supergraph", str(supergraph), "--host", host, "--port", str(port)]
    if explain is not None:
        args += ["--explain", str(explain)]
    from router.__main__ import main as router_main

    router_main(args)


@app.command()
def subgraph(
    name: SubgraphName,
    host: Annotated[str | None, typer.Option(help="Default: SERVICE_HOST.")] = None,
    port: Annotated[
        int | None, typer.Option(help="Default: SERVICE_PORT or the subgraph's port.")
    ] = None,
) -> None:
    """Run one subgraph (FastAPI + Strawberry) on its port."""
    from subgraphs.kit.app import create_subgraph_app
    from subgraphs.kit.infra import resolve_infrastructure
    from subgraphs.kit.logs import configure_logging
    from subgraphs.kit.registry import load_definition

    settings = get_settings()
    try:
        definition = load_definition(name)
    except ValueError as exc:
        _fail(str(exc))
        return
    infra = resolve_infrastructure(settings)
    configure_logging(name, settings.log_level, settings.log_json)
    application = create_subgraph_app(
        definition, settings=settings, database_url=infra.database_url, redis_url=infra.redis_url
    )
    from subgraphs.kit.serving import serve

    serve(
        application,
        name=name,
        host=host or settings.service_host,
        port=port or settings.service_port or SERVICE_PORTS[name],
    )


@app.command()
def migrate(
    names: Annotated[
        list[str] | None, typer.Argument(help="Subgraphs to migrate (default: all).")
    ] = None,
) -> None:
    """Apply every subgraph's Alembic migrations (each in its own PostgreSQL schema)."""
    from subgraphs.kit.infra import resolve_infrastructure
    from subgraphs.kit.migrations import migrate as run_migrations

    infra = resolve_infrastructure(get_settings())
    for name in names or SUBGRAPHS:
        if name not in SUBGRAPHS:
            _fail(f"unknown subgraph {name!r}")
        started = time.perf_counter()
        run_migrations(name, infra.database_url)
        console.print(f"migrated [bold]{name}[/] in {time.perf_counter() - started:.2f}s")


@app.command()
def seed(
    patients: Annotated[
        int, typer.Option(min=1, help="Patients to generate (up to millions).")
    ] = 500,
    doctors: Annotated[int | None, typer.Option(help="Default: patients / 50.")] = None,
    institutions: Annotated[int | None, typer.Option(help="Default: doctors / 10.")] = None,
    random_seed: Annotated[int, typer.Option("--seed", help="Same seed, same data.")] = 2026,
    reset: Annotated[bool, typer.Option(help="Wipe existing data first.")] = False,
) -> None:
    """Load realistic, deterministic demo data with the fixed demo logins."""
    from subgraphs.kit.devserver import migrate_all, seed_database
    from subgraphs.kit.infra import resolve_infrastructure
    from subgraphs.kit.seeding import SeedPlan

    settings = get_settings()
    infra = resolve_infrastructure(settings)
    migrate_all(infra.database_url)
    plan = SeedPlan(patients=patients, doctors=doctors, institutions=institutions, seed=random_seed,
                    rounds=settings.bcrypt_rounds)  # fmt: skip
    if not asyncio.run(
        seed_database(console, infra.database_url, plan, reset=reset, only_if_empty=False)
    ):
        _fail("the database already holds data; pass --reset to replace it")


@schema_app.command("export")
def schema_export(
    out: Annotated[
        Path, typer.Option(help="Folder for <subgraph>.graphql and supergraph.graphql.")
    ] = Path("schema"),
) -> None:
    """Write each subgraph's SDL and the composed supergraph."""
    from subgraphs.kit.schema_files import export_schemas

    for path in export_schemas(out):
        console.print(f"wrote {path}")


@schema_app.command("check")
def schema_check(
    folder: Annotated[Path, typer.Option(help="Folder holding the checked-in schemas.")] = Path(
        "schema"
    ),
) -> None:
    """Fail when the checked-in schemas differ from what the code produces."""
    from subgraphs.kit.schema_files import stale_schemas

    stale = stale_schemas(folder)
    if stale:
        _fail(f"stale: {', '.join(stale)}; run `predicthealth schema export`")
    console.print("schema/ is up to date")


@schema_app.command("compose")
def schema_compose(
    sdl: Annotated[
        list[Path] | None, typer.Argument(help="NAME=URL=FILE.graphql triples (default: ours).")
    ] = None,
    live: Annotated[
        bool, typer.Option(help="Fetch SDLs from the running subgraphs' _service.")
    ] = False,
    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
) -> None:
    """Compose Federation v2 subgraph SDLs into a supergraph (Apollo's format)."""
    from router.composition import CompositionError
    from subgraphs.kit.schema_files import compose_files, compose_live, compose_ours

    try:
        if live:
            supergraph = asyncio.run(compose_live(get_settings()))
        elif sdl:
            supergraph = compose_files([str(p) for p in sdl])
        else:
            supergraph = compose_ours(get_settings())
    except CompositionError as exc:
        _fail(f"composition failed:\n{exc}")
        return
    except ValueError as exc:
        _fail(str(exc))
        return
    if out is None:
        sys.stdout.write(supergraph)
    else:
        out.write_text(supergraph)
        console.print(f"wrote {out}")


@servers_app.command("start")
def servers_start() -> None:
    """Start the embedded PostgreSQL and Redis (if not running) and print their URLs."""
    from subgraphs.kit.infra import resolve_infrastructure

    infra = resolve_infrastructure(get_settings())
    console.print(infra.describe())
    print(f"DATABASE_URL={infra.database_url}\nREDIS_URL={infra.redis_url}")


@servers_app.command("stop")
def servers_stop() -> None:
    """Stop the embedded servers (data stays in the data folder)."""
    from subgraphs.kit.embedded import EmbeddedServers

    EmbeddedServers(get_settings().data_dir.resolve() / "servers").stop()
    console.print("embedded servers stopped")


@servers_app.command("status")
def servers_status() -> None:
    """Say whether the embedded servers run."""
    from subgraphs.kit.embedded import EmbeddedServers

    servers = EmbeddedServers(get_settings().data_dir.resolve() / "servers")
    state = "running" if servers.running() else "stopped"
    console.print(f"embedded servers in {servers.root}: {state}")


@audit_app.command("verify")
def audit_verify(
    database_url: Annotated[
        str | None, typer.Option(help="Default: DATABASE_URL (or the embedded server).")
    ] = None,
) -> None:
    """Recompute the audit log's hash chain and report the first tampered row."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from subgraphs.kit.audit_chain import ChainReport, verify_chain

    url = database_url
    if url is None:
        from subgraphs.kit.infra import resolve_infrastructure

        url = resolve_infrastructure(get_settings()).database_url

    async def run() -> ChainReport:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                return await verify_chain(connection)
        finally:
            await engine.dispose()

    report = asyncio.run(run())
    if not report.ok:
        _fail(
            f"audit chain broken at seq {report.first_bad_seq} (event {report.first_bad_id}): "
            f"{report.reason}; the {report.checked} events before it are intact"
        )
    console.print(f"audit chain intact: {report.checked} events verified")


@admin_app.command("create")
def admin_create(
    *,
    email: Annotated[str, typer.Option(help="The administrator's login email.")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    first_name: Annotated[str, typer.Option(help="Given name.")] = "System",
    last_name: Annotated[str, typer.Option(help="Family name.")] = "Administrator",
    department: Annotated[str | None, typer.Option(help="Department.")] = None,
    force: Annotated[bool, typer.Option(help="Create even if an admin already exists.")] = False,
) -> None:
    """Create the first administrator and their login (the auth subgraph must be running)."""
    from subgraphs.admins.bootstrap import bootstrap_admin
    from subgraphs.kit.errors import DomainError
    from subgraphs.kit.infra import resolve_infrastructure

    settings = get_settings()
    infra = resolve_infrastructure(settings)
    try:
        admin_id = asyncio.run(
            bootstrap_admin(settings, email=email, password=password, first_name=first_name,
                            last_name=last_name, department=department,
                            database_url=infra.database_url, allow_existing=force)
        )  # fmt: skip
    except DomainError as exc:
        _fail(exc.message)
        return
    console.print(f"created administrator {email} ({admin_id})")


@pq_app.command("check")
def pq_check(
    manifest: Annotated[Path, typer.Argument(help="Apollo persisted-query manifest (JSON).")],
    supergraph: Annotated[
        Path, typer.Option(help="Supergraph SDL the operations must validate against.")
    ] = Path("schema/supergraph.graphql"),
) -> None:
    """Validate every operation of a manifest against the supergraph (fails on any breakage)."""
    from router.edge import ManifestError, check_manifest_file

    try:
        problems = check_manifest_file(manifest, supergraph)
    except (ManifestError, OSError) as exc:
        _fail(str(exc))
        return
    for problem in problems:
        console.print(f"[red]✗[/] {problem}")
    if problems:
        _fail(f"{len(problems)} problem(s) in {manifest} against {supergraph}")
    console.print(f"{manifest}: every operation is valid against {supergraph}")


def main() -> None:
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()


if __name__ == "__main__":
    main()
