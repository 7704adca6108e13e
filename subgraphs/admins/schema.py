"""GraphQL types and thin resolvers of the admins subgraph."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.admins import models, service
from subgraphs.kit.access import context_of, require_principal, require_role
from subgraphs.kit.principal import Role
from subgraphs.kit.schema import build_schema

__all__ = ["schema"]


@strawberry.federation.type(keys=["id"], description="A system administrator.")
class Admin:
    id: strawberry.ID
    first_name: str
    last_name: str
    email: str
    department: str | None
    is_active: bool

    @classmethod
    def from_model(cls, row: models.Admin) -> Admin:
        return cls(
            id=strawberry.ID(str(row.id)),
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            department=row.department,
            is_active=row.is_active,
        )

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> Admin | None:
        require_role(info, Role.ADMIN)
        try:
            key = uuid.UUID(str(id))
        except ValueError:
            return None
        row = await context_of(info).loaders.admin.load(key)
        return None if row is None else cls.from_model(row)


@strawberry.type
class Query:
    @strawberry.field(description="Administrators (admins only).")
    async def admins(self, info: Info[Any, Any], first: int = 20) -> list[Admin]:
        principal = require_principal(info)
        async with context_of(info).read() as session:
            rows = await service.list_admins(session, principal, first=first)
        return [Admin.from_model(row) for row in rows]


schema = build_schema(query=Query)
