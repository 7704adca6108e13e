"""GraphQL types and thin resolvers of the doctors subgraph."""

from __future__ import annotations

import uuid
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.doctors import models, service
from subgraphs.kit.access import context_of, require_principal
from subgraphs.kit.schema import build_schema

__all__ = ["schema"]


def _uuid(value: strawberry.ID) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@strawberry.enum
class ProfessionalStatus(Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    RETIRED = "retired"


@strawberry.federation.type(keys=["id"], description="A medical specialty of the catalog.")
class Specialty:
    id: strawberry.ID
    name: str
    category: str

    @classmethod
    def from_model(cls, row: models.Specialty) -> Specialty:
        return cls(id=strawberry.ID(str(row.id)), name=row.name, category=row.category)

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> Specialty | None:
        key = _uuid(id)
        row = None if key is None else await context_of(info).loaders.specialty.load(key)
        return None if row is None else cls.from_model(row)


@strawberry.federation.type(keys=["id"], description="A doctor's directory entry.")
class Doctor:
    id: strawberry.ID
    first_name: str
    last_name: str
    professional_status: ProfessionalStatus
    years_experience: int
    specialty_id: strawberry.Private[uuid.UUID | None]
    institution_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field
    async def specialty(self, info: Info[Any, Any]) -> Specialty | None:
        if self.specialty_id is None:
            return None
        row = await context_of(info).loaders.specialty.load(self.specialty_id)
        return None if row is None else Specialty.from_model(row)

    @strawberry.field
    def institution(self) -> Institution | None:
        if self.institution_id is None:
            return None
        return Institution(id=strawberry.ID(str(self.institution_id)))

    @classmethod
    def from_model(cls, row: models.Doctor) -> Doctor:
        return cls(
            id=strawberry.ID(str(row.id)),
            first_name=row.first_name,
            last_name=row.last_name,
            professional_status=ProfessionalStatus(row.professional_status),
            years_experience=row.years_experience,
            specialty_id=row.specialty_id,
            institution_id=row.institution_id,
        )

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> Doctor | None:
        require_principal(info)
        key = _uuid(id)
        row = None if key is None else await context_of(info).loaders.doctor.load(key)
        return None if row is None else cls.from_model(row)


@strawberry.federation.type(
    keys=["id"], description="An institution (owned by the institutions subgraph)."
)
class Institution:
    id: strawberry.ID

    @strawberry.field(description="The institution's doctors.")
    async def doctors(self, info: Info[Any, Any]) -> list[Doctor]:
        require_principal(info)
        key = _uuid(self.id)
        rows = (
            [] if key is None else await context_of(info).loaders.doctors_by_institution.load(key)
        )
        return [Doctor.from_model(row) for row in rows]

    @strawberry.field(description="How many doctors work at the institution.")
    async def doctor_count(self, info: Info[Any, Any]) -> int:
        require_principal(info)
        key = _uuid(self.id)
        return (
            0
            if key is None
            else int(await context_of(info).loaders.doctor_count_by_institution.load(key))
        )

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Institution:
        return cls(id=id)


@strawberry.type
class Query:
    @strawberry.field(description="Doctors in name order (authenticated callers).")
    async def doctors(self, info: Info[Any, Any], first: int = 20) -> list[Doctor]:
        principal = require_principal(info)
        async with context_of(info).read() as session:
            rows = await service.list_doctors(session, principal, first=first)
        return [Doctor.from_model(row) for row in rows]

    @strawberry.field(description="One doctor by id, or null.")
    async def doctor(self, info: Info[Any, Any], id: strawberry.ID) -> Doctor | None:
        return await Doctor.resolve_reference(info, id)

    @strawberry.field(description="The specialty catalog (public).")
    async def specialties(self, info: Info[Any, Any]) -> list[Specialty]:
        async with context_of(info).read() as session:
            rows = await service.list_specialties(session)
        return [Specialty.from_model(row) for row in rows]


schema = build_schema(query=Query, types=[Institution])
