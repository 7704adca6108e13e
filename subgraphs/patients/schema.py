"""Queries and mutations of the patients subgraph: thin resolvers over the services."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.kit.access import context_of, require_principal
from subgraphs.kit.audit_trail import AuditNote, audit_trail
from subgraphs.kit.schema import build_schema
from subgraphs.kit.selections import asks_for
from subgraphs.kit.stats_cache import StatsCache
from subgraphs.patients import contacts, service, stats
from subgraphs.patients.types import (
    Doctor,
    EmergencyContact,
    Gender,
    Institution,
    Patient,
    PatientConnection,
    PatientFilterInput,
    PatientSortInput,
    PatientStatistics,
    ValidationStatus,
    parse_id,
    today_of,
)

__all__ = ["schema"]


def _state(info: Info[Any, Any]) -> Any:
    """The app's long-lived collaborators (login gateway, doctor directory)."""
    request = context_of(info).request
    assert request is not None  # GraphQL over HTTP always has one
    return request.app.state


def _given(obj: object) -> list[str]:
    return sorted(k for k, v in vars(obj).items() if v is not None and k != "password")


@strawberry.input(description="A new patient and the password of their login.")
class CreatePatientInput:
    first_name: str
    last_name: str
    email: str
    password: str
    date_of_birth: date
    gender: Gender
    phone: str | None = None
    doctor_id: strawberry.ID | None = strawberry.field(
        default=None, description="Doctors create for themselves; others choose."
    )
    institution_id: strawberry.ID | None = None


@strawberry.input(description="Fields to change; omitted fields stay as they are.")
class UpdatePatientInput:
    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: date | None = None
    gender: Gender | None = None
    phone: str | None = None
    doctor_id: strawberry.ID | None = None
    is_verified: bool | None = None


@strawberry.input
class EmergencyContactInput:
    name: str
    relationship: str
    phone: str
    email: str | None = None
    is_primary: bool = False


@strawberry.input
class UpdateEmergencyContactInput:
    name: str | None = None
    relationship: str | None = None
    phone: str | None = None
    email: str | None = None
    is_primary: bool | None = None


@strawberry.type
class Query:
    @strawberry.field(description="Patients you may see, filtered and keyset-paginated.")
    async def patients(
        self, info: Info[Any, Any], filter: PatientFilterInput | None = None,
        sort: PatientSortInput | None = None, first: int = 20, after: str | None = None,
    ) -> PatientConnection:  # fmt: skip
        principal = require_principal(info)
        where = (filter or PatientFilterInput()).build(today_of(info))
        async with context_of(info).read() as session:
            page = await service.search_patients(
                session, principal, where, (sort or PatientSortInput()).build(),
                first=first, after=after,
            )  # fmt: skip
        return PatientConnection.of(page, where)

    @strawberry.field(description="How many patients you may see match the filter.")
    async def patient_count(
        self, info: Info[Any, Any], filter: PatientFilterInput | None = None
    ) -> int:
        principal = require_principal(info)
        where = (filter or PatientFilterInput()).build(today_of(info))
        async with context_of(info).read() as session:
            return await service.count_patients(session, principal, where)

    @strawberry.field(description="One patient by id; null when absent or not yours to see.")
    async def patient(self, info: Info[Any, Any], id: strawberry.ID) -> Patient | None:
        return await Patient.resolve_reference(info, id)

    @strawberry.field(description="Figures by gender, validation status, doctor, age band, and "
                      "new in the last 30 days (analysts: aggregates, small groups suppressed). "
                      "Exact as of the last committed write (summaries kept in the writing "
                      "transaction); a cached copy can be up to 60 s old only if it raced a "
                      "write still committing, and newLast30Days can lag as much.")  # fmt: skip
    async def patient_statistics(
        self, info: Info[Any, Any], filter: PatientFilterInput | None = None
    ) -> PatientStatistics:
        principal = require_principal(info)
        today = today_of(info)
        where = (filter or PatientFilterInput()).build(today)
        context = context_of(info)
        cache = StatsCache(context.redis, context.settings, "patients")
        # byDoctor is 20,000 groups at scale: computed and serialized only when asked for.
        per_doctor = asks_for(info, "byDoctor")
        async with context.read() as session:
            figures = await stats.patient_statistics(
                session, principal, where, today, cache, per_doctor=per_doctor
            )
        return PatientStatistics.of(figures)


async def _audited(info: Info[Any, Any], action: str, id: strawberry.ID, fields: list[str],
                   run: Any) -> Any:  # fmt: skip
    """Run `run(session, principal)` in a write whose audit event commits with it."""
    principal = require_principal(info)
    async with audit_trail(info).write(
        context_of(info), action, target_type="patient", target_ids=[id], fields=fields
    ) as (session, note):
        return await run(session, principal), note


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Create a patient and their login (doctors, institutions, admins)."
    )
    async def create_patient(self, info: Info[Any, Any], input: CreatePatientInput) -> Patient:
        principal = require_principal(info)
        ctx, state = context_of(info), _state(info)
        data = service.NewPatient(
            first_name=input.first_name, last_name=input.last_name, email=input.email,
            password=input.password, date_of_birth=input.date_of_birth, gender=input.gender.value,
            phone=input.phone,
            doctor_id=None if input.doctor_id is None else parse_id(input.doctor_id, "doctorId"),
            institution_id=None if input.institution_id is None
            else parse_id(input.institution_id, "institutionId"),
        )  # fmt: skip
        trail = audit_trail(info)
        note = AuditNote(fields=_given(input))
        row = await service.create_patient(
            lambda: trail.session(ctx, "patient.create", target_type="patient", note=note),
            state.logins, state.doctors, principal, data=data, today=today_of(info),
            on_insert=note.target,
        )  # fmt: skip
        return Patient.from_model(row)

    @strawberry.mutation(description="Change a patient (their doctor, institution, admins; the "
                         "patient: phone only).")  # fmt: skip
    async def update_patient(
        self, info: Info[Any, Any], id: strawberry.ID, input: UpdatePatientInput
    ) -> Patient:
        changes = service.PatientChanges(
            first_name=input.first_name, last_name=input.last_name,
            date_of_birth=input.date_of_birth,
            gender=None if input.gender is None else input.gender.value, phone=input.phone,
            doctor_id=None if input.doctor_id is None else parse_id(input.doctor_id, "doctorId"),
            is_verified=input.is_verified,
        )  # fmt: skip
        today, directory = today_of(info), _state(info).doctors

        async def run(session: Any, principal: Any) -> Any:
            return await service.update_patient(
                session, principal, parse_id(id), changes, directory=directory, today=today
            )

        row, _ = await _audited(info, "patient.update", id, _given(input), run)
        return Patient.from_model(row)

    @strawberry.mutation(description="Deactivate a patient (their doctor, institution, admins).")
    async def deactivate_patient(self, info: Info[Any, Any], id: strawberry.ID) -> Patient:
        return await _set_active(info, id, active=False)

    @strawberry.mutation(description="Reactivate a patient (their doctor, institution, admins).")
    async def activate_patient(self, info: Info[Any, Any], id: strawberry.ID) -> Patient:
        return await _set_active(info, id, active=True)

    @strawberry.mutation(description="Delete a patient and their login (admins only).")
    async def delete_patient(self, info: Info[Any, Any], id: strawberry.ID) -> strawberry.ID:
        logins = _state(info).logins

        async def run(session: Any, principal: Any) -> Any:
            return await service.delete_patient(session, principal, parse_id(id), logins)

        deleted, _ = await _audited(info, "patient.delete", id, [], run)
        return strawberry.ID(str(deleted))

    @strawberry.mutation(description="Record your validation: the patient's doctor or institution "
                         "(both done: full access).")  # fmt: skip
    async def validate_patient(self, info: Info[Any, Any], id: strawberry.ID) -> Patient:
        async def run(session: Any, principal: Any) -> Any:
            return await service.validate_patient(session, principal, parse_id(id))

        row, _ = await _audited(info, "patient.validate", id, ["validation_status"], run)
        return Patient.from_model(row)

    @strawberry.mutation(description="Set any validation status (admins only).")
    async def set_patient_validation_status(
        self, info: Info[Any, Any], id: strawberry.ID, status: ValidationStatus
    ) -> Patient:
        async def run(session: Any, principal: Any) -> Any:
            return await service.set_status(session, principal, parse_id(id), status.value)

        row, _ = await _audited(info, "patient.set_status", id, ["validation_status"], run)
        return Patient.from_model(row)

    @strawberry.mutation(description="Add an emergency contact (the first one is primary).")
    async def add_emergency_contact(
        self, info: Info[Any, Any], patient_id: strawberry.ID, input: EmergencyContactInput
    ) -> EmergencyContact:
        data = contacts.NewContact(name=input.name, relationship=input.relationship,
                                   phone=input.phone, email=input.email,
                                   is_primary=input.is_primary)  # fmt: skip

        async def run(session: Any, principal: Any) -> Any:
            return await contacts.add_contact(session, principal, parse_id(patient_id), data)

        row, _ = await _audited(info, "patient.contact.add", patient_id, _given(input), run)
        return EmergencyContact.from_model(row)

    @strawberry.mutation(description="Change an emergency contact (one primary at all times).")
    async def update_emergency_contact(
        self, info: Info[Any, Any], id: strawberry.ID, input: UpdateEmergencyContactInput
    ) -> EmergencyContact:
        changes = contacts.ContactChanges(name=input.name, relationship=input.relationship,
                                          phone=input.phone, email=input.email,
                                          is_primary=input.is_primary)  # fmt: skip
        return await _contact_change(info, "patient.contact.update", _given(input),
                                     lambda s, p: contacts.update_contact(s, p, parse_id(id), changes))  # fmt: skip

    @strawberry.mutation(
        description="Remove an emergency contact (the oldest other becomes primary)."
    )
    async def remove_emergency_contact(
        self, info: Info[Any, Any], id: strawberry.ID
    ) -> EmergencyContact:
        return await _contact_change(info, "patient.contact.remove", [],
                                     lambda s, p: contacts.remove_contact(s, p, parse_id(id)))  # fmt: skip


async def _contact_change(
    info: Info[Any, Any], action: str, fields: list[str], run: Any
) -> EmergencyContact:
    principal = require_principal(info)
    async with audit_trail(info).write(
        context_of(info), action, target_type="patient", fields=fields
    ) as (session, note):
        row = await run(session, principal)
        note.target(row.patient_id)
        note.details["contact_id"] = str(row.id)
    return EmergencyContact.from_model(row)


async def _set_active(info: Info[Any, Any], id: strawberry.ID, *, active: bool) -> Patient:
    async def run(session: Any, principal: Any) -> Any:
        return await service.set_active(session, principal, parse_id(id), active=active)

    action = "patient.activate" if active else "patient.deactivate"
    row, _ = await _audited(info, action, id, ["is_active"], run)
    return Patient.from_model(row)


schema = build_schema(query=Query, mutation=Mutation, types=[Doctor, Institution])
