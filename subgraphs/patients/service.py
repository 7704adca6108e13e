"""Patient rules: who may create, see and change which records; logins all-or-nothing."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.context import last_step
from subgraphs.kit.errors import Conflict, Forbidden, Invalid, NotFound
from subgraphs.kit.keyset import Page, page_request
from subgraphs.kit.logins import LoginGateway, NewLogin, create_with_login
from subgraphs.kit.principal import Principal, Role
from subgraphs.patients import access, repository, validation, workflow
from subgraphs.patients.directory import DoctorDirectory
from subgraphs.patients.models import Patient, ValidationStatus
from subgraphs.patients.repository import ConstraintViolation
from subgraphs.patients.search import PageKey, PatientFilter, PatientSort

__all__ = [
    "NewPatient",
    "PatientChanges",
    "count_patients",
    "create_patient",
    "delete_patient",
    "get_visible",
    "load_managed",
    "owner_page",
    "search_patients",
    "set_active",
    "set_status",
    "update_patient",
    "validate_patient",
]

Write = Callable[[], AbstractAsyncContextManager[AsyncSession]]

#: What a patient may change on their own record; the rest is for their doctor, institution, admins.
SELF_EDITABLE = frozenset({"phone"})


@dataclass(frozen=True, kw_only=True)
class NewPatient:
    first_name: str
    last_name: str
    email: str
    password: str
    date_of_birth: date
    gender: str
    phone: str | None = None
    doctor_id: uuid.UUID | None = None
    institution_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class PatientChanges:
    """None leaves a field unchanged. The email is the login's: it changes through auth."""

    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: date | None = None
    gender: str | None = None
    phone: str | None = None
    doctor_id: uuid.UUID | None = None
    is_verified: bool | None = None


def _refused(exc: ConstraintViolation) -> Exception:
    if exc.constraint == "uq_patients_email_lower":
        return Conflict("email is already used by another patient", field="email")
    return Invalid("input", "conflicts with existing data")


async def _placement(
    principal: Principal,
    directory: DoctorDirectory,
    doctor_id: uuid.UUID | None,
    institution_id: uuid.UUID | None,
) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """Where a new patient goes: a doctor creates for themself and their institution; an
    institution for itself (and one of its doctors); admins anywhere consistent."""
    if principal.has_role(Role.DOCTOR):
        if doctor_id not in (None, principal.profile_id):
            raise Forbidden("A doctor may only create their own patients", field="doctorId")
        doctor_id = principal.profile_id
    elif principal.has_role(Role.INSTITUTION):
        if institution_id not in (None, principal.profile_id):
            raise Forbidden(
                "An institution may only create its own patients", field="institutionId"
            )
        institution_id = principal.profile_id
    elif not access.is_admin(principal):
        raise Forbidden("Only doctors, institutions and admins may create patients")
    if doctor_id is not None:
        doctor = await directory.lookup(doctor_id)
        if doctor is None:
            raise Invalid("doctorId", "no such doctor")
        if not doctor.is_active:
            raise Invalid("doctorId", "the doctor is not active")
        if institution_id is None:
            institution_id = doctor.institution_id
        elif doctor.institution_id != institution_id:
            raise Invalid("doctorId", "the doctor does not work at this institution")
    return doctor_id, institution_id


def _values(data: Any, today: date) -> dict[str, Any]:
    cleaners: dict[str, Callable[[Any], Any]] = {
        "first_name": lambda v: validation.clean_name(v, "firstName"),
        "last_name": lambda v: validation.clean_name(v, "lastName"),
        "email": validation.clean_email,
        "date_of_birth": lambda v: validation.clean_birth_date(v, today),
        "gender": validation.clean_gender,
        "phone": validation.clean_phone,
    }
    found: dict[str, Any] = {}
    for f in fields(data):
        value = getattr(data, f.name)
        if f.name in cleaners and value is not None:
            found[f.name] = cleaners[f.name](value)
    return found


async def create_patient(
    write: Write,
    logins: LoginGateway,
    directory: DoctorDirectory,
    principal: Principal,
    *,
    data: NewPatient,
    today: date,
    on_insert: Callable[[uuid.UUID], None] | None = None,
) -> Patient:
    """The record and its login both exist afterwards, or neither does."""
    doctor_id, institution_id = await _placement(
        principal, directory, data.doctor_id, data.institution_id
    )
    if not data.password:
        raise Invalid("password", "is required")
    row = Patient(id=uuid.uuid4(), doctor_id=doctor_id, institution_id=institution_id,
                  validation_status=ValidationStatus.PENDING.value, is_verified=False,
                  is_active=True, **_values(data, today))  # fmt: skip

    async def insert(session: AsyncSession) -> Patient:
        if on_insert is not None:
            on_insert(row.id)
        try:
            created: Patient = await repository.insert(session, row)
            return created
        except ConstraintViolation as exc:
            raise _refused(exc) from exc

    def login_for(created: Patient) -> NewLogin:
        return NewLogin(email=created.email, password=data.password, role=Role.PATIENT,
                        profile_id=created.id)  # fmt: skip

    def attach(created: Patient, user_id: uuid.UUID) -> None:
        created.user_id = user_id

    return await create_with_login(write, logins, insert=insert, login_for=login_for, attach=attach)


async def _visible_for_update(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID
) -> Patient:
    row = await repository.get_for_update(session, patient_id)
    if row is None or not access.can_see(principal, row):
        raise NotFound("Patient not found")
    return row


async def load_managed(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID
) -> Patient:
    """The row, locked, for its doctor, institution or an admin; NOT_FOUND for whoever may not
    see it, FORBIDDEN for one who may see but not change it (the patient)."""
    row = await _visible_for_update(session, principal, patient_id)
    if not access.can_manage(principal, row):
        raise Forbidden("Only the patient's doctor, institution and admins may change this record")
    return row


async def update_patient(
    session: AsyncSession,
    principal: Principal,
    patient_id: uuid.UUID,
    changes: PatientChanges,
    *,
    directory: DoctorDirectory,
    today: date,
) -> Patient:
    row = await _visible_for_update(session, principal, patient_id)
    manager = access.can_manage(principal, row)
    given = {f.name for f in fields(changes) if getattr(changes, f.name) is not None}
    if not manager and not (given <= SELF_EDITABLE and access.can_see(principal, row)):
        raise Forbidden("Only the patient's doctor, institution and admins may change this field")
    for name, value in _values(changes, today).items():
        setattr(row, name, value)
    if changes.is_verified is not None:
        row.is_verified = changes.is_verified
    if changes.doctor_id is not None and changes.doctor_id != row.doctor_id:
        await _move(principal, row, changes.doctor_id, directory)
    try:
        await repository.flush(session)
    except ConstraintViolation as exc:
        raise _refused(exc) from exc
    return row


async def _move(
    principal: Principal, row: Patient, doctor_id: uuid.UUID, directory: DoctorDirectory
) -> None:
    """Another doctor: the institution among its own doctors, admins anywhere."""
    if principal.has_role(Role.DOCTOR):
        raise Forbidden(
            "A doctor cannot hand a patient over; ask the institution", field="doctorId"
        )
    doctor = await directory.lookup(doctor_id)
    if doctor is None or not doctor.is_active:
        raise Invalid("doctorId", "no such active doctor")
    if principal.has_role(Role.INSTITUTION) and doctor.institution_id != row.institution_id:
        raise Invalid("doctorId", "the doctor does not work at this institution")
    row.doctor_id = doctor_id
    if access.is_admin(principal):
        row.institution_id = doctor.institution_id


async def set_active(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID, *, active: bool
) -> Patient:
    row = await load_managed(session, principal, patient_id)
    row.is_active = active
    await repository.flush(session)
    return row


async def delete_patient(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID, logins: LoginGateway
) -> uuid.UUID:
    """Admins only. The row goes inside the caller's transaction, the login as its last step
    before COMMIT (after every other write was flushed): if removing the login fails, the row
    stays too, and nothing but COMMIT itself can fail once the login is gone."""
    row = await _visible_for_update(session, principal, patient_id)
    if not access.is_admin(principal):
        raise Forbidden("Only administrators may delete a patient")
    await repository.delete_patient(session, row.id)
    await session.flush()
    if row.user_id is not None:
        # Not undoable: last, once the row and the audit event are flushed (kit.context).
        user_id = row.user_id
        last_step(session, lambda: logins.delete_login(user_id))
    return row.id


async def validate_patient(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID
) -> Patient:
    row = await _visible_for_update(session, principal, patient_id)
    workflow.validate(principal, row)
    await repository.flush(session)
    return row


async def set_status(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID, status: str
) -> Patient:
    row = await _visible_for_update(session, principal, patient_id)
    workflow.set_status(principal, row, status)
    await repository.flush(session)
    return row


def _require_reader(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise Forbidden("Authentication required")


async def get_visible(
    load: Callable[[uuid.UUID], Awaitable[Patient | None]],
    principal: Principal,
    patient_id: uuid.UUID,
) -> Patient | None:
    """None for a missing row and for one the caller may not see alike."""
    row = await load(patient_id)
    return row if row is not None and access.can_see(principal, row) else None


async def search_patients(
    session: AsyncSession,
    principal: Principal,
    where: PatientFilter,
    sort: PatientSort,
    *,
    first: int,
    after: str | None,
) -> Page[Patient]:
    """The rows the caller may see, filtered; a filter naming others' rows finds nothing."""
    _require_reader(principal)
    request = page_request(first, after, sort=sort.token, arity=sort.arity)
    rows = await repository.search(
        session, access.viewer_of(principal), where, sort,
        after=None if request.after is None else request.after.key, limit=request.first + 1,
    )  # fmt: skip
    return Page.build(rows, request, sort=sort.token, key_of=lambda r: repository.sort_key(r, sort))


async def count_patients(session: AsyncSession, principal: Principal, where: PatientFilter) -> int:
    _require_reader(principal)
    return await repository.count(session, access.viewer_of(principal), where)


async def owner_page(
    load: Callable[[PageKey], Awaitable[list[Patient]]],
    principal: Principal,
    *,
    column: str,
    owner_id: uuid.UUID,
    where: PatientFilter,
    sort: PatientSort,
    first: int,
    after: str | None,
) -> Page[Patient]:
    """One doctor's (institution's) visible patients through a batching loader."""
    _require_reader(principal)
    request = page_request(first, after, sort=sort.token, arity=sort.arity)
    key = None if request.after is None else request.after.key
    viewer = access.viewer_of(principal)
    rows = await load(PageKey(column, owner_id, viewer, where, sort, request.first + 1, key))
    return Page.build(rows, request, sort=sort.token, key_of=lambda r: repository.sort_key(r, sort))
