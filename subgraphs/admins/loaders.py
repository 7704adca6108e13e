"""Per-request dataloaders of the admins subgraph."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from subgraphs.admins import repository
from subgraphs.admins.models import Admin
from subgraphs.kit.loaders import by_id_loader

__all__ = ["Loaders"]


@dataclass(frozen=True, slots=True)
class Loaders:
    admin: DataLoader[uuid.UUID, Admin | None]

    @classmethod
    def create(cls, sessions: async_sessionmaker[AsyncSession]) -> Loaders:
        return cls(admin=by_id_loader(sessions, repository.get_many, lambda row: row.id))
