"""Strawberry types of the patients subgraph: thin views over models and service results."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry.types import Info

from subgraphs.kit.access import context_of, require_principal
from subgraphs.kit.audit_trail import note_not_found
from subgraphs.kit.errors import Invalid
from subgraphs.kit.flat_records import flat_record
from subgraphs.kit.ids import parse_id, try_parse_id
from subgraphs.kit.keyset import Page
from subgraphs.kit.relay import PageInfo, SortDirection
from subgraphs.patients import models, service
from subgraphs.patients.ages import age_on, latest_birth_date, today_in
from subgraphs.patients.search import CountKey, PatientFilter, PatientSort, SortField
from subgraphs.patients.stats import Figure
from subgraphs.patients.stats import PatientStatistics as Stats

__all__ = [
    "Doctor",
    "EmergencyContact",
    "Gender",
    "Institution",
    "Patient",
    "PatientConnection",
    "PatientFilterInput",
    "PatientSortInput",
    "PatientStatistics",
    "ValidationStatus",
    "parse_id",
    "today_of",
]


def _ids(values: list[strawberry.ID] | None, field: str) -> tuple[uuid.UUID, ...] | None:
    return None if values is None else tuple(parse_id(v, field) for v in values)


def _sid(value: uuid.UUID | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


def today_of(info: Info[Any, Any]) -> date:
    return today_in(context_of(info).settings.timezone)


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


@strawberry.enum(description="What patients can be ordered by.")
class PatientSortField(Enum):
    NAME = SortField.NAME.value
    CREATED_AT = SortField.CREATED_AT.value
    DATE_OF_BIRTH = SortField.DATE_OF_BIRTH.value


@strawberry.input
class PatientSortInput:
    field: PatientSortField = PatientSortField.NAME
    direction: SortDirection = SortDirection.ASC

    def build(self) -> PatientSort:
        return PatientSort(SortField(self.field.value), self.direction is SortDirection.DESC)


@strawberry.input(description="Every field given narrows the result to rows you may see anyway.")
class PatientFilterInput:
    doctor_ids: list[strawberry.ID] | None = None
    institution_ids: list[strawberry.ID] | None = None
    genders: list[Gender] | None = None
    validation_statuses: list[ValidationStatus] | None = None
    min_age: int | None = None
    max_age: int | None = None
    name: str | None = None
    is_active: bool | None = None

    def build(self, today: date) -> PatientFilter:
        for label, value in (("minAge", self.min_age), ("maxAge", self.max_age)):
            if value is not None and not 0 <= value <= 150:
                raise Invalid(label, "must be between 0 and 150")
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise Invalid("minAge", "must not exceed maxAge")
        name = " ".join(self.name.split()) if self.name else None
        return PatientFilter(
            doctor_ids=_ids(self.doctor_ids, "doctorIds"),
            institution_ids=_ids(self.institution_ids, "institutionIds"),
            genders=None if self.genders is None else tuple(g.value for g in self.genders),
            statuses=None if self.validation_statuses is None
            else tuple(s.value for s in self.validation_statuses),
            is_active=self.is_active, name=name or None,
            born_on_or_before=None if self.min_age is None else latest_birth_date(today, self.min_age),
            born_after=None if self.max_age is None else latest_birth_date(today, self.max_age + 1),
        )  # fmt: skip


@strawberry.type(description="Someone to call in an emergency.")
class EmergencyContact:
    id: strawberry.ID
    name: str
    relationship: str
    phone: str
    email: str | None
    is_primary: bool
    patient_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, row: models.EmergencyContact) -> EmergencyContact:
        return cls(id=strawberry.ID(str(row.id)), name=row.name, relationship=row.relationship,
                   phone=row.phone, email=row.email, is_primary=row.is_primary,
                   patient_id=row.patient_id)  # fmt: skip


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
    phone: str | None
    validation_status: ValidationStatus
    is_verified: bool
    is_active: bool
    user_id: strawberry.ID | None
    doctor_validated_by: strawberry.ID | None
    doctor_validated_at: datetime | None
    institution_validated_by: strawberry.ID | None
    institution_validated_at: datetime | None
    status_changed_by: strawberry.ID | None
    status_changed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    row: strawberry.Private[models.Patient]

    @strawberry.field(description="Completed years today, in the server's configured time zone.")
    def age(self, info: Info[Any, Any]) -> int:
        return age_on(self.row.date_of_birth, today_of(info))

    @strawberry.field
    def doctor(self) -> Doctor | None:
        return (
            None
            if self.row.doctor_id is None
            else Doctor(id=strawberry.ID(str(self.row.doctor_id)))
        )

    @strawberry.field
    def institution(self) -> Institution | None:
        key = self.row.institution_id
        return None if key is None else Institution(id=strawberry.ID(str(key)))

    @strawberry.field(description="Primary contact first.")
    async def emergency_contacts(self, info: Info[Any, Any]) -> list[EmergencyContact]:
        rows = await context_of(info).loaders.contacts.load(self.row.id)
        return [EmergencyContact.from_model(r) for r in rows]

    @classmethod
    def from_model(cls, row: models.Patient) -> Patient:
        return cls(
            id=strawberry.ID(str(row.id)), first_name=row.first_name, last_name=row.last_name,
            email=row.email, date_of_birth=row.date_of_birth, gender=Gender(row.gender),
            phone=row.phone, validation_status=ValidationStatus(row.validation_status),
            is_verified=row.is_verified, is_active=row.is_active, user_id=_sid(row.user_id),
            doctor_validated_by=_sid(row.doctor_validated_by),
            doctor_validated_at=row.doctor_validated_at,
            institution_validated_by=_sid(row.institution_validated_by),
            institution_validated_at=row.institution_validated_at,
            status_changed_by=_sid(row.status_changed_by), status_changed_at=row.status_changed_at,
            created_at=row.created_at, updated_at=row.updated_at, row=row,
        )  # fmt: skip

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> Patient | None:
        principal = require_principal(info)
        key = try_parse_id(id)
        if key is None:
            return None
        row = await service.get_visible(context_of(info).loaders.patient.load, principal, key)
        if row is None:
            note_not_found(info, "patient", key)
            return None
        return cls.from_model(row)


@strawberry.type
class PatientEdge:
    node: Patient
    cursor: str


@strawberry.type
class PatientConnection:
    edges: list[PatientEdge]
    page_info: PageInfo
    where: strawberry.Private[PatientFilter]

    @classmethod
    def of(cls, page: Page[models.Patient], where: PatientFilter) -> PatientConnection:
        return cls(
            edges=[PatientEdge(node=Patient.from_model(r), cursor=c)
                   for r, c in zip(page.rows, page.cursors, strict=True)],
            page_info=PageInfo.of(page), where=where,
        )  # fmt: skip


async def _owner_page(
    info: Info[Any, Any], column: str, owner: strawberry.ID, *, filter: PatientFilterInput | None,
    sort: PatientSortInput | None, first: int, after: str | None,
) -> PatientConnection:  # fmt: skip
    principal = require_principal(info)
    where = (filter or PatientFilterInput()).build(today_of(info))
    page = await service.owner_page(
        context_of(info).loaders.owner_page.load, principal, column=column,
        owner_id=parse_id(owner), where=where, sort=(sort or PatientSortInput()).build(),
        first=first, after=after,
    )  # fmt: skip
    return PatientConnection.of(page, where)


async def _owner_count(
    info: Info[Any, Any], column: str, owner: strawberry.ID, filter: PatientFilterInput | None
) -> int:
    from subgraphs.patients.access import viewer_of

    principal = require_principal(info)
    where = (filter or PatientFilterInput()).build(today_of(info))
    key = CountKey(column, parse_id(owner), viewer_of(principal), where)
    return int(await context_of(info).loaders.owner_count.load(key))


@strawberry.federation.type(keys=["id"], description="A doctor (owned by the doctors subgraph).")
class Doctor:
    id: strawberry.ID

    @strawberry.field(description="The doctor's patients that you may see, keyset-paginated.")
    async def patients(
        self, info: Info[Any, Any], filter: PatientFilterInput | None = None,
        sort: PatientSortInput | None = None, first: int = 20, after: str | None = None,
    ) -> PatientConnection:  # fmt: skip
        return await _owner_page(
            info, "doctor_id", self.id, filter=filter, sort=sort, first=first, after=after
        )

    @strawberry.field(description="How many of the doctor's patients you may see.")
    async def patient_count(
        self, info: Info[Any, Any], filter: PatientFilterInput | None = None
    ) -> int:
        return await _owner_count(info, "doctor_id", self.id, filter)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Doctor:
        return cls(id=id)


@strawberry.federation.type(keys=["id"], description="An institution (owned by institutions).")
class Institution:
    id: strawberry.ID

    @strawberry.field(description="The institution's patients that you may see, keyset-paginated.")
    async def patients(
        self, info: Info[Any, Any], filter: PatientFilterInput | None = None,
        sort: PatientSortInput | None = None, first: int = 20, after: str | None = None,
    ) -> PatientConnection:  # fmt: skip
        return await _owner_page(
            info, "institution_id", self.id, filter=filter, sort=sort, first=first, after=after
        )

    @strawberry.field(description="How many of the institution's patients you may see.")
    async def patient_count(
        self, info: Info[Any, Any], filter: PatientFilterInput | None = None
    ) -> int:
        return await _owner_count(info, "institution_id", self.id, filter)

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Institution:
        return cls(id=id)


@flat_record
@strawberry.type(description="One group; count is null when suppressed (fewer than 5 people).")
class PatientCount:
    key: str
    count: int | None
    suppressed: bool


@strawberry.type(description="Patient figures over the patients you may see.")
class PatientStatistics:
    total: int | None
    new_last_30_days: int | None
    by_gender: list[PatientCount]
    by_validation_status: list[PatientCount]
    by_age_band: list[PatientCount]
    by_doctor: list[PatientCount] | None = strawberry.field(
        description="Per doctor id; null for analysts."
    )

    @classmethod
    def of(cls, s: Stats) -> PatientStatistics:
        def many(items: list[Figure]) -> list[PatientCount]:
            # A Figure has PatientCount's fields by name, which is all the default resolvers
            # and the flat-record path read: handed over as they are, not copied (20,000
            # per-doctor groups, shared by every request the statistics cache serves).
            return cast("list[PatientCount]", items)

        return cls(
            total=s.total.count, new_last_30_days=s.new_last_30_days.count,
            by_gender=many(s.by_gender), by_validation_status=many(s.by_validation_status),
            by_age_band=many(s.by_age_band),
            by_doctor=None if s.by_doctor is None else many(s.by_doctor),
        )  # fmt: skip
