"""Dataloader plumbing: one SQL statement per batch, each batch in its own short session."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

__all__ = ["by_id_loader", "grouped_loader"]

Row = TypeVar("Row")
Key = TypeVar("Key")

FetchMany = Callable[[AsyncSession, Sequence[Key]], Awaitable[Sequence[Row]]]


def by_id_loader(
    sessions: async_sessionmaker[AsyncSession],
    fetch: FetchMany[uuid.UUID, Row],
    key: Callable[[Row], uuid.UUID],
) -> DataLoader[uuid.UUID, Row | None]:
    """Load rows by primary key; a missing row loads as None."""

    async def load(ids: list[uuid.UUID]) -> list[Row | None]:
        async with sessions() as session:
            rows = await fetch(session, ids)
        found = {key(row): row for row in rows}
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def grouped_loader(
    sessions: async_sessionmaker[AsyncSession],
    fetch: FetchMany[Key, Row],
    group: Callable[[Row], Key],
) -> DataLoader[Key, list[Row]]:
    """Load the rows belonging to each key (one-to-many) in one statement."""

    async def load(keys: list[Key]) -> list[list[Row]]:
        async with sessions() as session:
            rows = await fetch(session, keys)
        grouped: dict[Key, list[Row]] = {k: [] for k in keys}
        for row in rows:
            grouped.setdefault(group(row), []).append(row)
        return [grouped[k] for k in keys]

    return DataLoader(load_fn=load)
