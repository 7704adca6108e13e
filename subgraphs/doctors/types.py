"""Strawberry types of the doctors subgraph: thin views over models and service results."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.doctors import access, models, service
from subgraphs.doctors.search import CountKey, DoctorFilter, DoctorSort, SortField
from subgraphs.doctors.stats import DoctorStatistics as Stats
from subgraphs.kit.access import context_of, require_principal
from subgraphs.kit.ids import parse_id, try_parse_id
from subgraphs.kit.keyset import Page
from subgraphs.kit.relay import PageInfo, SortDirection

__all__ = [
    "Doctor",
    "DoctorConnection",
    "DoctorFilterInput",
    "DoctorSortInput",
    "DoctorStatistics",
    "Institution",
    "LicenseStatus",
    "ProfessionalStatus",
    "Specialty",
    "parse_id",
]


def _ids(values: list[strawberry.ID] | None, field: str) -> tuple[uuid.UUID, ...] | None:
    return None if values is None else tuple(parse_id(v, field) for v in values)


@strawberry.enum
class ProfessionalStatus(Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    RETIRED = "retired"


@strawberry.enum(description="Where the medical licence stands in its review.")
class LicenseStatus(Enum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


@strawberry.enum(description="What doctors can be ordered by.")
class DoctorSortField(Enum):
    NAME = SortField.NAME.value
    CREATED_AT = SortField.CREATED_AT.value
    YEARS_EXPERIENCE = SortField.YEARS_EXPERIENCE.value


@strawberry.federation.type(keys=["id"], description="A medical specialty of the catalog.")
class Specialty:
    id: strawberry.ID
    name: str
    category: str
    description: str | None

    @classmethod
    def from_model(cls, row: models.Specialty) -> Specialty:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            category=row.category,
            description=row.description,
        )

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> Specialty | None:
        key = try_parse_id(id)
        if key is None:
            return None
        row = await context_of(info).loaders.specialty.load(key)
        return None if row is None else cls.from_model(row)


async def _specialty(info: Info[Any, Any], key: uuid.UUID | None) -> Specialty | None:
    row = None if key is None else await context_of(info).loaders.specialty.load(key)
    return None if row is None else Specialty.from_model(row)


@strawberry.federation.type(keys=["id"], description="A doctor's directory entry.")
class Doctor:
    id: strawberry.ID
    first_name: str
    last_name: str
    professional_status: ProfessionalStatus
    license_status: LicenseStatus
    years_experience: int
    is_active: bool
    created_at: datetime
    updated_at: datetime
    row: strawberry.Private[models.Doctor]

    def _private(self, info: Info[Any, Any], field: str) -> models.Doctor:
        access.require_private(require_principal(info), self.row, field)
        return self.row

    @strawberry.field
    async def specialty(self, info: Info[Any, Any]) -> Specialty | None:
        return await _specialty(info, self.row.specialty_id)

    @strawberry.field
    async def secondary_specialty(self, info: Info[Any, Any]) -> Specialty | None:
        return await _specialty(info, self.row.secondary_specialty_id)

    @strawberry.field(description="Where the doctor works (resolved by the institutions subgraph).")
    def institution(self) -> Institution | None:
        key = self.row.institution_id
        return None if key is None else Institution(id=strawberry.ID(str(key)))

    @strawberry.field(description="Email (the doctor, their institution and admins only).")
    def email(self, info: Info[Any, Any]) -> str | None:
        return self._private(info, "email").email

    @strawberry.field(description="Phone (the doctor, their institution and admins only).")
    def phone(self, info: Info[Any, Any]) -> str | None:
        return self._private(info, "phone").phone

    @strawberry.field(description="Normalized licence number (doctor, institution, admins).")
    def medical_license(self, info: Info[Any, Any]) -> str | None:
        return self._private(info, "medicalLicense").medical_license

    @strawberry.field(description="Consultation fee (the doctor, their institution and admins).")
    def consultation_fee(self, info: Info[Any, Any]) -> Decimal | None:
        return self._private(info, "consultationFee").consultation_fee

    @strawberry.field(
        description="The login that reviewed the licence (doctor, institution, admins)."
    )
    def license_reviewed_by(self, info: Info[Any, Any]) -> strawberry.ID | None:
        reviewer = self._private(info, "licenseReviewedBy").license_reviewed_by
        return None if reviewer is None else strawberry.ID(str(reviewer))

    @strawberry.field(description="When the licence was reviewed (doctor, institution, admins).")
    def license_reviewed_at(self, info: Info[Any, Any]) -> datetime | None:
        return self._private(info, "licenseReviewedAt").license_reviewed_at

    @classmethod
    def from_model(cls, row: models.Doctor) -> Doctor:
        return cls(
            id=strawberry.ID(str(row.id)),
            first_name=row.first_name,
            last_name=row.last_name,
            professional_status=ProfessionalStatus(row.professional_status),
            license_status=LicenseStatus(row.license_status),
            years_experience=row.years_experience,
            is_active=row.is_active,
            created_at=row.created_at,
            updated_at=row.updated_at,
            row=row,
        )

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> Doctor | None:
        require_principal(info)
        key = try_parse_id(id)
        if key is None:
            return None
        row = await context_of(info).loaders.doctor.load(key)
        return None if row is None else cls.from_model(row)


@strawberry.type
class DoctorEdge:
    cursor: str
    node: Doctor


@strawberry.type(description="A page of doctors (Relay connection).")
class DoctorConnection:
    edges: list[DoctorEdge]
    page_info: PageInfo
    where: strawberry.Private[DoctorFilter]
    institution_id: strawberry.Private[uuid.UUID | None] = None

    @strawberry.field(description="How many doctors match the filter (all pages).")
    async def total_count(self, info: Info[Any, Any]) -> int:
        principal = require_principal(info)
        context = context_of(info)
        if self.institution_id is not None:
            count: int = await context.loaders.institution_count.load(
                CountKey(self.institution_id, self.where)
            )
            return count
        async with context.read() as session:
            return await service.count_doctors(session, principal, self.where)

    @classmethod
    def of(
        cls, page: Page[models.Doctor], where: DoctorFilter, institution_id: uuid.UUID | None = None
    ) -> DoctorConnection:
        edges = [
            DoctorEdge(cursor=c, node=Doctor.from_model(r))
            for r, c in zip(page.rows, page.cursors, strict=True)
        ]
        return cls(
            edges=edges, page_info=PageInfo.of(page), where=where, institution_id=institution_id
        )


@strawberry.input(description="Narrow the doctor directory; every given field must match.")
class DoctorFilterInput:
    specialty_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Main or secondary specialty among these."
    )
    institution_ids: list[strawberry.ID] | None = None
    statuses: list[ProfessionalStatus] | None = None
    license_statuses: list[LicenseStatus] | None = None
    is_active: bool | None = None
    name: str | None = strawberry.field(
        default=None, description="Part of the full name; case and accents are ignored."
    )
    ids: list[strawberry.ID] | None = None

    def build(self) -> DoctorFilter:
        return DoctorFilter(
            specialty_ids=_ids(self.specialty_ids, "specialtyIds"),
            institution_ids=_ids(self.institution_ids, "institutionIds"),
            statuses=None if self.statuses is None else tuple(s.value for s in self.statuses),
            license_statuses=None
            if self.license_statuses is None
            else tuple(s.value for s in self.license_statuses),
            is_active=self.is_active,
            name=(self.name or "").strip() or None,
            ids=_ids(self.ids, "ids"),
        )


@strawberry.input
class DoctorSortInput:
    field: DoctorSortField = DoctorSortField.NAME
    direction: SortDirection = SortDirection.ASC

    def build(self) -> DoctorSort:
        return DoctorSort(
            field=SortField(self.field.value), descending=self.direction is SortDirection.DESC
        )


@strawberry.federation.type(
    keys=["id"], description="An institution (owned by the institutions subgraph)."
)
class Institution:
    id: strawberry.ID

    @strawberry.field(description="The institution's doctors, filtered and keyset-paginated.")
    async def doctors(
        self,
        info: Info[Any, Any],
        filter: DoctorFilterInput | None = None,
        sort: DoctorSortInput | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> DoctorConnection:
        principal = require_principal(info)
        key = parse_id(self.id)
        where = (filter or DoctorFilterInput()).build()
        order = (sort or DoctorSortInput()).build()
        page = await service.institution_doctors(
            context_of(info).loaders.institution_page.load, principal, key, where, order,
            first=first, after=after,
        )  # fmt: skip
        return DoctorConnection.of(page, where, institution_id=key)

    @strawberry.field(description="How many doctors work at the institution.")
    async def doctor_count(self, info: Info[Any, Any], active_only: bool = False) -> int:
        require_principal(info)
        where = DoctorFilter(is_active=True) if active_only else DoctorFilter()
        count: int = await context_of(info).loaders.institution_count.load(
            CountKey(parse_id(self.id), where)
        )
        return count

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Institution:
        return cls(id=id)


@strawberry.type(name="DoctorSpecialtyCount")
class SpecialtyCount:
    specialty_id: strawberry.Private[uuid.UUID | None]
    count: int

    @strawberry.field
    async def specialty(self, info: Info[Any, Any]) -> Specialty | None:
        return await _specialty(info, self.specialty_id)


@strawberry.type(name="DoctorInstitutionCount")
class InstitutionCount:
    institution: Institution | None
    count: int


@strawberry.type(name="DoctorSpecialtyInstitutionCount")
class SpecialtyInstitutionCount:
    specialty_id: strawberry.Private[uuid.UUID | None]
    institution: Institution | None
    count: int

    @strawberry.field
    async def specialty(self, info: Info[Any, Any]) -> Specialty | None:
        return await _specialty(info, self.specialty_id)


@strawberry.type(name="DoctorStatusCount")
class StatusCount:
    status: ProfessionalStatus
    count: int


@strawberry.type(name="DoctorLicenseStatusCount")
class LicenseStatusCount:
    status: LicenseStatus
    count: int


def _inst(key: uuid.UUID | None) -> Institution | None:
    return None if key is None else Institution(id=strawberry.ID(str(key)))


@strawberry.type(description="Aggregates over the doctors matching a filter.")
class DoctorStatistics:
    total: int
    active: int
    by_specialty: list[SpecialtyCount]
    by_institution: list[InstitutionCount]
    by_specialty_and_institution: list[SpecialtyInstitutionCount]
    by_status: list[StatusCount]
    by_license_status: list[LicenseStatusCount]

    @classmethod
    def of(cls, stats: Stats) -> DoctorStatistics:
        return cls(
            total=stats.total,
            active=stats.active,
            by_specialty=[
                SpecialtyCount(specialty_id=s[0], count=n) for s, n in stats.by_specialty
            ],
            by_institution=[
                InstitutionCount(institution=_inst(i), count=n) for i, n in stats.by_institution
            ],
            by_specialty_and_institution=[
                SpecialtyInstitutionCount(specialty_id=s[0], institution=_inst(i), count=n)
                for s, i, n in stats.by_specialty_and_institution
            ],
            by_status=[
                StatusCount(status=ProfessionalStatus(s), count=n) for s, n in stats.by_status
            ],
            by_license_status=[
                LicenseStatusCount(status=LicenseStatus(s), count=n)
                for s, n in stats.by_license_status
            ],
        )
