"""Per-request dataloaders of the auth subgraph."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from subgraphs.auth import repository
from subgraphs.auth.models import Device, User, UserSession
from subgraphs.kit.loaders import by_id_loader, grouped_loader

__all__ = ["Loaders"]


@dataclass(frozen=True, slots=True)
class Loaders:
    user: DataLoader[uuid.UUID, User | None]
    device: DataLoader[uuid.UUID, Device | None]
    sessions_of_user: DataLoader[uuid.UUID, list[UserSession]]
    devices_of_user: DataLoader[uuid.UUID, list[Device]]

    @classmethod
    def create(cls, sessions: async_sessionmaker[AsyncSession]) -> Loaders:
        return cls(
            user=by_id_loader(sessions, repository.get_many, lambda row: row.id),
            device=by_id_loader(sessions, repository.devices_by_ids, lambda row: row.id),
            sessions_of_user=grouped_loader(
                sessions, repository.sessions_of_users, lambda row: row.user_id
            ),
            devices_of_user=grouped_loader(
                sessions, repository.devices_of_users, lambda row: row.user_id
            ),
        )
