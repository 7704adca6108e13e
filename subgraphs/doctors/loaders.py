"""Per-request dataloaders of the doctors subgraph."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from subgraphs.doctors import repository
from subgraphs.doctors.models import Doctor, Specialty
from subgraphs.kit.loaders import by_id_loader, grouped_loader

__all__ = ["Loaders"]


@dataclass(frozen=True, slots=True)
class Loaders:
    doctor: DataLoader[uuid.UUID, Doctor | None]
    specialty: DataLoader[uuid.UUID, Specialty | None]
    doctors_by_institution: DataLoader[uuid.UUID, list[Doctor]]
    doctor_count_by_institution: DataLoader[uuid.UUID, int]

    @classmethod
    def create(cls, sessions: async_sessionmaker[AsyncSession]) -> Loaders:
        async def counts(ids: list[uuid.UUID]) -> list[int]:
            async with sessions() as session:
                found: dict[uuid.UUID, int] = dict(
                    await repository.count_by_institution(session, ids)
                )
            return [found.get(i, 0) for i in ids]

        def institution_of(row: Doctor) -> uuid.UUID:
            assert row.institution_id is not None
            return row.institution_id

        async def by_institution(
            session: AsyncSession, ids: Sequence[uuid.UUID]
        ) -> Sequence[Doctor]:
            return await repository.doctors_by_institution(session, ids)

        return cls(
            doctor=by_id_loader(sessions, repository.get_doctors, lambda row: row.id),
            specialty=by_id_loader(sessions, repository.get_specialties, lambda row: row.id),
            doctors_by_institution=grouped_loader(sessions, by_institution, institution_of),
            doctor_count_by_institution=DataLoader(load_fn=counts),
        )
