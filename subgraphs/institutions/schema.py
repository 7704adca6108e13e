"""GraphQL types and thin resolvers of the institutions subgraph."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.institutions import models, service
from subgraphs.kit.access import context_of, require_principal
from subgraphs.kit.schema import build_schema

__all__ = ["schema"]


@strawberry.enum(description="Kinds of institution, as in the original system.")
class InstitutionType(Enum):
    HOSPITAL = "hospital"
    PREVENTIVE_CLINIC = "preventive_clinic"
    HEALTH_CENTER = "health_center"
    PUBLIC_HEALTH = "public_health"
    INSURER = "insurer"
    PHARMACY = "pharmacy"
    RESEARCH = "research"
    EDUCATION = "education"


@strawberry.federation.type(keys=["id"], description="A hospital, clinic or other organisation.")
class Institution:
    id: strawberry.ID
    name: str
    institution_type: InstitutionType
    region: str | None
    is_active: bool
    is_verified: bool
    created_at: datetime

    @classmethod
    def from_model(cls, row: models.Institution) -> Institution:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            institution_type=InstitutionType(row.institution_type),
            region=row.region,
            is_active=row.is_active,
            is_verified=row.is_verified,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> Institution | None:
        require_principal(info)
        try:
            key = uuid.UUID(str(id))
        except ValueError:
            return None
        row = await context_of(info).loaders.institution.load(key)
        return None if row is None else cls.from_model(row)


@strawberry.type
class Query:
    @strawberry.field(description="Institutions in name order (authenticated callers).")
    async def institutions(self, info: Info[Any, Any], first: int = 20) -> list[Institution]:
        principal = require_principal(info)
        async with context_of(info).read() as session:
            rows = await service.list_institutions(session, principal, first=first)
        return [Institution.from_model(row) for row in rows]

    @strawberry.field(description="One institution by id, or null.")
    async def institution(self, info: Info[Any, Any], id: strawberry.ID) -> Institution | None:
        return await Institution.resolve_reference(info, id)


schema = build_schema(query=Query)
