"""Queries and mutations of the doctors subgraph: thin resolvers over the service."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info

from subgraphs.doctors import service, stats
from subgraphs.doctors.types import (
    Doctor,
    DoctorConnection,
    DoctorFilterInput,
    DoctorSortInput,
    DoctorStatistics,
    Institution,
    ProfessionalStatus,
    Specialty,
    parse_id,
)
from subgraphs.kit.access import context_of, require_principal
from subgraphs.kit.audit_trail import AuditNote, audit_trail, create_audited
from subgraphs.kit.schema import build_schema
from subgraphs.kit.selections import asks_for
from subgraphs.kit.stats_cache import StatsCache

__all__ = ["schema"]

T = TypeVar("T")


def _state(info: Info[Any, Any]) -> Any:
    """The app's long-lived collaborators (login gateway, institution directory)."""
    request = context_of(info).request
    assert request is not None  # GraphQL over HTTP always has one
    return request.app.state


def _given(input: object) -> list[str]:
    """The input fields the caller set (names only: values never go into the audit trail)."""
    return sorted(name for name, value in vars(input).items()
                  if value is not None and name != "password")  # fmt: skip


def _opt_id(value: strawberry.ID | None, field: str) -> Any:
    return None if value is None else parse_id(value, field)


@strawberry.enum(description="The outcome of a licence review.")
class LicenseDecision(Enum):
    VERIFIED = "verified"
    REJECTED = "rejected"


@strawberry.input(description="A new doctor and the password of their login.")
class CreateDoctorInput:
    first_name: str
    last_name: str
    email: str
    password: str
    medical_license: str
    institution_id: strawberry.ID | None = strawberry.field(
        default=None, description="Admins choose; an institution creates for itself."
    )
    phone: str | None = None
    specialty_id: strawberry.ID | None = None
    secondary_specialty_id: strawberry.ID | None = None
    years_experience: int = 0
    consultation_fee: Decimal | None = None


@strawberry.input(description="Fields to change; omitted fields stay as they are.")
class UpdateDoctorInput:
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    medical_license: str | None = None
    specialty_id: strawberry.ID | None = None
    secondary_specialty_id: strawberry.ID | None = None
    years_experience: int | None = None
    consultation_fee: Decimal | None = None
    professional_status: ProfessionalStatus | None = None
    institution_id: strawberry.ID | None = None


@strawberry.type
class Query:
    @strawberry.field(description="Search the doctor directory (authenticated), keyset-paginated.")
    async def doctors(
        self,
        info: Info[Any, Any],
        filter: DoctorFilterInput | None = None,
        sort: DoctorSortInput | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> DoctorConnection:
        principal = require_principal(info)
        where = (filter or DoctorFilterInput()).build()
        order = (sort or DoctorSortInput()).build()
        async with context_of(info).read() as session:
            page = await service.search_doctors(
                session, principal, where, order, first=first, after=after
            )
        return DoctorConnection.of(page, where)

    @strawberry.field(description="One doctor by id, or null.")
    async def doctor(self, info: Info[Any, Any], id: strawberry.ID) -> Doctor | None:
        return await Doctor.resolve_reference(info, id)

    @strawberry.field(description="The specialty catalog (public).")
    async def specialties(self, info: Info[Any, Any]) -> list[Specialty]:
        async with context_of(info).read() as session:
            rows = await service.list_specialties(session)
        return [Specialty.from_model(row) for row in rows]

    @strawberry.field(description="Counts by specialty, institution, both, status, licence status. "
                      "Recomputed after any committed write; a cached copy can be up to 60 s old "
                      "only if it raced a write still committing.")  # fmt: skip
    async def doctor_statistics(
        self, info: Info[Any, Any], filter: DoctorFilterInput | None = None
    ) -> DoctorStatistics:
        principal = require_principal(info)
        where = (filter or DoctorFilterInput()).build()
        context = context_of(info)
        cache = StatsCache(context.redis, context.settings, "doctors")
        async with context.read() as session:
            # ~18,000 groups at scale: neither counted nor built when nobody asked for them.
            figures = await stats.doctor_statistics(
                session, principal, where, cache, pairs=asks_for(info, "bySpecialtyAndInstitution")
            )
        return DoctorStatistics.of(figures)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a doctor and their login (admins; institutions).")
    async def create_doctor(self, info: Info[Any, Any], input: CreateDoctorInput) -> Doctor:
        data = service.NewDoctor(
            first_name=input.first_name,
            last_name=input.last_name,
            email=input.email,
            password=input.password,
            medical_license=input.medical_license,
            institution_id=_opt_id(input.institution_id, "institutionId"),
            phone=input.phone,
            specialty_id=_opt_id(input.specialty_id, "specialtyId"),
            secondary_specialty_id=_opt_id(input.secondary_specialty_id, "secondarySpecialtyId"),
            years_experience=input.years_experience,
            consultation_fee=input.consultation_fee,
        )
        state = _state(info)

        async def create(write: service.Write, note: AuditNote) -> Any:
            principal = require_principal(info)
            return await service.create_doctor(write, state.logins, state.institutions,
                                               principal, data, on_insert=note.target)  # fmt: skip

        row = await create_audited(info, "doctor.create", "doctor", _given(input), create)
        return Doctor.from_model(row)

    @strawberry.mutation(description="Change a doctor (the doctor: own profile fields; their "
                         "institution and admins: everything).")  # fmt: skip
    async def update_doctor(
        self, info: Info[Any, Any], id: strawberry.ID, input: UpdateDoctorInput
    ) -> Doctor:
        status = input.professional_status
        changes = service.DoctorChanges(
            first_name=input.first_name,
            last_name=input.last_name,
            phone=input.phone,
            medical_license=input.medical_license,
            specialty_id=_opt_id(input.specialty_id, "specialtyId"),
            secondary_specialty_id=_opt_id(input.secondary_specialty_id, "secondarySpecialtyId"),
            years_experience=input.years_experience,
            consultation_fee=input.consultation_fee,
            professional_status=None if status is None else status.value,
            institution_id=_opt_id(input.institution_id, "institutionId"),
        )
        async with audit_trail(info).write(
            context_of(info), "doctor.update", target_type="doctor", target_ids=[id],
            fields=_given(input),
        ) as (session, _):  # fmt: skip
            principal = require_principal(info)  # refused callers are audited too
            row = await service.update_doctor(
                session, principal, parse_id(id), changes, _state(info).institutions
            )
        return Doctor.from_model(row)

    @strawberry.mutation(description="Deactivate a doctor (their institution; admins).")
    async def deactivate_doctor(self, info: Info[Any, Any], id: strawberry.ID) -> Doctor:
        return await _set_active(info, id, active=False)

    @strawberry.mutation(description="Reactivate a doctor (their institution; admins).")
    async def activate_doctor(self, info: Info[Any, Any], id: strawberry.ID) -> Doctor:
        return await _set_active(info, id, active=True)

    @strawberry.mutation(description="Verify or reject a pending licence (their institution; "
                         "admins); records who and when.")  # fmt: skip
    async def review_doctor_license(
        self, info: Info[Any, Any], id: strawberry.ID, decision: LicenseDecision
    ) -> Doctor:
        async with audit_trail(info).write(
            context_of(info), "doctor.review_license", target_type="doctor", target_ids=[id],
            fields=["license_status"],
        ) as (session, note):  # fmt: skip
            principal = require_principal(info)  # refused callers are audited too
            note.details["decision"] = decision.value
            row = await service.review_license(session, principal, parse_id(id), decision.value)
        return Doctor.from_model(row)


async def _set_active(info: Info[Any, Any], id: strawberry.ID, *, active: bool) -> Doctor:
    action = "doctor.activate" if active else "doctor.deactivate"
    async with audit_trail(info).write(
        context_of(info), action, target_type="doctor", target_ids=[id], fields=["is_active"]
    ) as (session, _):
        principal = require_principal(info)  # refused callers are audited too
        row = await service.set_active(session, principal, parse_id(id), active=active)
    return Doctor.from_model(row)


schema = build_schema(query=Query, mutation=Mutation, types=[Institution])
