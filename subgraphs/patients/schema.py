"""GraphQL types and thin resolvers of the patients subgraph."""

from __future__ import annotations

import uuid
from datetime import date
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.kit.access import context_of, require_principal
from subgraphs.kit.schema import build_schema
from subgraphs.patients import models, service
from subgraphs.patients.access import can_see

__all__ = ["schema"]


def _uuid(value: strawberry.ID) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@strawberry.enum
class Gender(Enum):
    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


@strawberry.enum
class ValidationStatus(Enum):
    PENDING = "pending"
    DOCTOR_VALIDATED = "doctor_validated"
    INSTITUTION_VALIDATED = "institution_validated"
    FULL_ACCESS = "full_access"


@strawberry.federation.type(keys=["id"], description="A doctor (owned by the doctors subgraph).")
class Doctor:
    id: strawberry.ID

    @strawberry.field(description="The doctor's patients that the caller may see.")
    async def patients(self, info: Info[Any, Any]) -> list[Patient]:
        principal = require_principal(info)
        key = _uuid(self.id)
        rows = [] if key is None else await context_of(info).loaders.patients_by_doctor.load(key)
        return [Patient.from_model(r) for r in rows if can_see(principal, r)]

    @strawberry.field(description="How many patients the doctor has.")
    async def patient_count(self, info: Info[Any, Any]) -> int:
        require_principal(info)
        key = _uuid(self.id)
        return 0 if key is None else int(await context_of(info).loaders.count_by_doctor.load(key))

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Doctor:
        return cls(id=id)


@strawberry.federation.type(
    keys=["id"], description="An institution (owned by the institutions subgraph)."
)
class Institution:
    id: strawberry.ID

    @strawberry.field(description="The institution's patients that the caller may see.")
    async def patients(self, info: Info[Any, Any]) -> list[Patient]:
        principal = require_principal(info)
        key = _uuid(self.id)
        rows = (
            [] if key is None else await context_of(info).loaders.patients_by_institution.load(key)
        )
        return [Patient.from_model(r) for r in rows if can_see(principal, r)]

    @strawberry.field(description="How many patients are linked to the institution.")
    async def patient_count(self, info: Info[Any, Any]) -> int:
        require_principal(info)
        key = _uuid(self.id)
        return (
            0 if key is None else int(await context_of(info).loaders.count_by_institution.load(key))
        )

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Institution:
        return cls(id=id)


@strawberry.federation.type(
    keys=["id"], description="A patient record; visible only to those entitled."
)
class Patient:
    id: strawberry.ID
    first_name: str
    last_name: str
    email: str
    date_of_birth: date
    gender: Gender
    validation_status: ValidationStatus
    is_verified: bool
    doctor_id: strawberry.Private[uuid.UUID | None]
    institution_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field
    def doctor(self) -> Doctor | None:
        return None if self.doctor_id is None else Doctor(id=strawberry.ID(str(self.doctor_id)))

    @strawberry.field
    def institution(self) -> Institution | None:
        if self.institution_id is None:
            return None
        return Institution(id=strawberry.ID(str(self.institution_id)))

    @classmethod
    def from_model(cls, row: models.Patient) -> Patient:
        return cls(
            id=strawberry.ID(str(row.id)),
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            date_of_birth=row.date_of_birth,
            gender=Gender(row.gender),
            validation_status=ValidationStatus(row.validation_status),
            is_verified=row.is_verified,
            doctor_id=row.doctor_id,
            institution_id=row.institution_id,
        )

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> Patient | None:
        principal = require_principal(info)
        key = _uuid(id)
        row = None if key is None else await context_of(info).loaders.patient.load(key)
        return None if row is None or not can_see(principal, row) else cls.from_model(row)


@strawberry.type
class Query:
    @strawberry.field(description="Patients the caller may see, in name order.")
    async def patients(self, info: Info[Any, Any], first: int = 20) -> list[Patient]:
        principal = require_principal(info)
        async with context_of(info).read() as session:
            rows = await service.list_patients(session, principal, first=first)
        return [Patient.from_model(row) for row in rows]

    @strawberry.field(description="One patient by id; null when absent or not yours to see.")
    async def patient(self, info: Info[Any, Any], id: strawberry.ID) -> Patient | None:
        return await Patient.resolve_reference(info, id)


schema = build_schema(query=Query, types=[Doctor, Institution])
