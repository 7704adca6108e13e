"""Per-request dataloaders of the institutions subgraph."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from subgraphs.institutions import repository
from subgraphs.institutions.models import Institution
from subgraphs.kit.loaders import by_id_loader

__all__ = ["Loaders"]


@dataclass(frozen=True, slots=True)
class Loaders:
    institution: DataLoader[uuid.UUID, Institution | None]

    @classmethod
    def create(cls, sessions: async_sessionmaker[AsyncSession]) -> Loaders:
        return cls(institution=by_id_loader(sessions, repository.get_many, lambda row: row.id))
