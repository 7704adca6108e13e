"""Per-request dataloaders of the patients subgraph: each batch is one SQL statement."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from subgraphs.kit.loaders import by_id_loader, grouped_loader
from subgraphs.patients import repository
from subgraphs.patients.models import EmergencyContact, Patient
from subgraphs.patients.search import CountKey, PageKey

__all__ = ["Loaders"]


def _pages(sessions: async_sessionmaker[AsyncSession]) -> DataLoader[PageKey, list[Patient]]:
    async def load(keys: list[PageKey]) -> list[list[Patient]]:
        groups: dict[tuple[Any, ...], list[uuid.UUID]] = defaultdict(list)
        for k in keys:
            groups[(k.owner_column, k.viewer, k.where, k.sort, k.limit, k.after)].append(k.owner_id)
        found: dict[PageKey, list[Patient]] = defaultdict(list)
        async with sessions() as session:
            for (column, viewer, where, sort, limit, after), ids in groups.items():
                rows = await repository.page_by_owner(
                    session, column, ids, viewer, where=where, sort=sort, after=after, limit=limit
                )
                for row in rows:
                    owner = getattr(row, column)
                    found[PageKey(column, owner, viewer, where, sort, limit, after)].append(row)
        return [found.get(k, []) for k in keys]

    return DataLoader(load_fn=load)


def _counts(sessions: async_sessionmaker[AsyncSession]) -> DataLoader[CountKey, int]:
    async def load(keys: list[CountKey]) -> list[int]:
        groups: dict[tuple[Any, ...], list[uuid.UUID]] = defaultdict(list)
        for k in keys:
            groups[(k.owner_column, k.viewer, k.where)].append(k.owner_id)
        found: dict[CountKey, int] = {}
        async with sessions() as session:
            for (column, viewer, where), ids in groups.items():
                counted = await repository.count_by_owner(session, column, ids, viewer, where)
                for owner, n in counted.items():
                    found[CountKey(column, owner, viewer, where)] = n
        return [found.get(k, 0) for k in keys]

    return DataLoader(load_fn=load)


def _contacts(
    sessions: async_sessionmaker[AsyncSession],
) -> DataLoader[uuid.UUID, list[EmergencyContact]]:
    async def fetch(session: AsyncSession, keys: Sequence[uuid.UUID]) -> Sequence[EmergencyContact]:
        return await repository.contacts_of(session, keys)

    return grouped_loader(sessions, fetch, lambda row: row.patient_id)


@dataclass(frozen=True, slots=True)
class Loaders:
    patient: DataLoader[uuid.UUID, Patient | None]
    owner_page: DataLoader[PageKey, list[Patient]]
    owner_count: DataLoader[CountKey, int]
    contacts: DataLoader[uuid.UUID, list[EmergencyContact]]

    @classmethod
    def create(cls, sessions: async_sessionmaker[AsyncSession]) -> Loaders:
        return cls(
            patient=by_id_loader(sessions, repository.get_many, lambda row: row.id),
            owner_page=_pages(sessions),
            owner_count=_counts(sessions),
            contacts=_contacts(sessions),
        )
