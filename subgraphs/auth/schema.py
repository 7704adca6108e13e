"""GraphQL types and thin resolvers of the auth subgraph."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.auth import models
from subgraphs.kit.access import context_of
from subgraphs.kit.principal import Role
from subgraphs.kit.schema import build_schema

__all__ = ["schema"]

UserRole = strawberry.enum(Role, name="UserRole", description="What a login may do.")


@strawberry.federation.type(keys=["id"], description="A login.")
class User:
    id: strawberry.ID
    email: str
    role: UserRole  # type: ignore[valid-type]
    profile_id: strawberry.ID | None
    is_active: bool
    last_login_at: datetime | None

    @classmethod
    def from_model(cls, row: models.User) -> User:
        return cls(
            id=strawberry.ID(str(row.id)),
            email=row.email,
            role=Role(row.role),
            profile_id=strawberry.ID(str(row.profile_id)) if row.profile_id else None,
            is_active=row.is_active,
            last_login_at=row.last_login_at,
        )

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> User | None:
        principal = context_of(info).principal
        try:
            key = uuid.UUID(str(id))
        except ValueError:
            return None
        # A user sees their own login; admins and services see any.
        if principal.user_id != key and not principal.has_role(Role.ADMIN, Role.SERVICE):
            return None
        row = await context_of(info).loaders.user.load(key)
        return None if row is None else cls.from_model(row)


@strawberry.type
class Query:
    @strawberry.field(description="The caller's own login, or null when anonymous.")
    async def me(self, info: Info[Any, Any]) -> User | None:
        principal = context_of(info).principal
        if principal.user_id is None:
            return None
        return await User.resolve_reference(info, strawberry.ID(str(principal.user_id)))


schema = build_schema(query=Query)
