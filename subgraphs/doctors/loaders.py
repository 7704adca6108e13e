"""Per-request dataloaders of the doctors subgraph: each batch is one SQL statement."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from subgraphs.doctors import repository
from subgraphs.doctors.models import Doctor, Specialty
from subgraphs.doctors.search import CountKey, DoctorFilter, PageKey
from subgraphs.kit.loaders import by_id_loader

__all__ = ["Loaders"]


def _pages(sessions: async_sessionmaker[AsyncSession]) -> DataLoader[PageKey, list[Doctor]]:
    async def load(keys: list[PageKey]) -> list[list[Doctor]]:
        groups: dict[tuple[Any, ...], list[uuid.UUID]] = defaultdict(list)
        for key in keys:
            groups[(key.where, key.sort, key.limit, key.after)].append(key.institution_id)
        found: dict[PageKey, list[Doctor]] = defaultdict(list)
        async with sessions() as session:
            for (where, sort, limit, after), ids in groups.items():
                rows = await repository.page_by_institution(
                    session, ids, where, sort, after=after, limit=limit
                )
                for row in rows:
                    assert row.institution_id is not None
                    found[PageKey(row.institution_id, where, sort, limit, after)].append(row)
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


def _counts(sessions: async_sessionmaker[AsyncSession]) -> DataLoader[CountKey, int]:
    async def load(keys: list[CountKey]) -> list[int]:
        groups: dict[DoctorFilter, list[uuid.UUID]] = defaultdict(list)
        for key in keys:
            groups[key.where].append(key.institution_id)
        found: dict[CountKey, int] = {}
        async with sessions() as session:
            for where, ids in groups.items():
                for institution_id, n in (
                    await repository.count_by_institution(session, ids, where)
                ).items():
                    found[CountKey(institution_id, where)] = n
        return [found.get(key, 0) for key in keys]

    return DataLoader(load_fn=load)


@dataclass(frozen=True, slots=True)
class Loaders:
    doctor: DataLoader[uuid.UUID, Doctor | None]
    specialty: DataLoader[uuid.UUID, Specialty | None]
    institution_page: DataLoader[PageKey, list[Doctor]]
    institution_count: DataLoader[CountKey, int]

    @classmethod
    def create(cls, sessions: async_sessionmaker[AsyncSession]) -> Loaders:
        return cls(
            doctor=by_id_loader(sessions, repository.get_doctors, lambda row: row.id),
            specialty=by_id_loader(sessions, repository.get_specialties, lambda row: row.id),
            institution_page=_pages(sessions),
            institution_count=_counts(sessions),
        )
