"""Alembic per subgraph: each owns a PostgreSQL schema and keeps its own version table in it."""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

__all__ = ["alembic_config", "migrate", "run_env"]

_SUBGRAPHS_DIR = Path(__file__).resolve().parent.parent


def alembic_config(name: str, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SUBGRAPHS_DIR / name / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url)
    config.set_main_option("subgraph", name)
    return config


def migrate(name: str, database_url: str, revision: str = "head") -> None:
    """Upgrade one subgraph's schema (blocking; call from a thread inside an event loop)."""
    command.upgrade(alembic_config(name, database_url), revision)


def run_env(metadata: MetaData) -> None:
    """The body of every subgraph's `migrations/env.py`."""
    config = context.config
    schema = metadata.schema
    if schema is None:
        raise RuntimeError("subgraph metadata must name its PostgreSQL schema")
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("sqlalchemy.url is not configured")

    def run(connection: Connection) -> None:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table="alembic_version",
            version_table_schema=schema,
            include_schemas=False,
            include_name=lambda name, type_, _parent: type_ != "schema" or name == schema,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        try:
            async with engine.begin() as connection:
                # Two processes migrating at once (e.g. replicas starting) must not interleave.
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": schema}
                )
                await connection.run_sync(run)
        finally:
            await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, version_table_schema=schema)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(main())


def models_module(name: str) -> object:
    return importlib.import_module(f"subgraphs.{name}.models")
