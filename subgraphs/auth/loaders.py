"""Per-request dataloaders of the auth subgraph."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from subgraphs.auth import repository
from subgraphs.auth.models import User
from subgraphs.kit.loaders import by_id_loader

__all__ = ["Loaders"]


@dataclass(frozen=True, slots=True)
class Loaders:
    user: DataLoader[uuid.UUID, User | None]

    @classmethod
    def create(cls, sessions: async_sessionmaker[AsyncSession]) -> Loaders:
        return cls(user=by_id_loader(sessions, repository.get_many, lambda row: row.id))
