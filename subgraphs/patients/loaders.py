"""Per-request dataloaders of the patients subgraph."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from subgraphs.kit.loaders import by_id_loader, grouped_loader
from subgraphs.patients import repository
from subgraphs.patients.models import Patient

__all__ = ["Loaders"]


def _count_loader(
    sessions: async_sessionmaker[AsyncSession], column: str
) -> DataLoader[uuid.UUID, int]:
    async def load(keys: list[uuid.UUID]) -> list[int]:
        async with sessions() as session:
            found = dict(await repository.count_by(session, column, keys))
        return [found.get(k, 0) for k in keys]

    return DataLoader(load_fn=load)


def _group_loader(
    sessions: async_sessionmaker[AsyncSession], column: str
) -> DataLoader[uuid.UUID, list[Patient]]:
    async def fetch(session: AsyncSession, keys: Sequence[uuid.UUID]) -> Sequence[Patient]:
        return await repository.patients_by(session, column, keys)

    def owner(row: Patient) -> uuid.UUID:
        value: uuid.UUID = getattr(row, column)
        return value

    return grouped_loader(sessions, fetch, owner)


@dataclass(frozen=True, slots=True)
class Loaders:
    patient: DataLoader[uuid.UUID, Patient | None]
    patients_by_doctor: DataLoader[uuid.UUID, list[Patient]]
    patients_by_institution: DataLoader[uuid.UUID, list[Patient]]
    count_by_doctor: DataLoader[uuid.UUID, int]
    count_by_institution: DataLoader[uuid.UUID, int]

    @classmethod
    def create(cls, sessions: async_sessionmaker[AsyncSession]) -> Loaders:
        return cls(
            patient=by_id_loader(sessions, repository.get_many, lambda row: row.id),
            patients_by_doctor=_group_loader(sessions, "doctor_id"),
            patients_by_institution=_group_loader(sessions, "institution_id"),
            count_by_doctor=_count_loader(sessions, "doctor_id"),
            count_by_institution=_count_loader(sessions, "institution_id"),
        )
