"""Doctor rules: validation, authorization, all-or-nothing creation, licence review. No Strawberry."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.doctors import access, repository, validation
from subgraphs.doctors.directory import InstitutionDirectory
from subgraphs.doctors.models import Doctor, LicenseStatus, ProfessionalStatus, Specialty
from subgraphs.doctors.repository import ConstraintViolation
from subgraphs.doctors.search import DoctorFilter, DoctorSort, PageKey
from subgraphs.kit.errors import Conflict, Forbidden, Invalid, NotFound
from subgraphs.kit.keyset import Page, page_request
from subgraphs.kit.logins import LoginGateway, NewLogin, create_with_login
from subgraphs.kit.principal import Principal, Role

__all__ = [
    "DoctorChanges",
    "NewDoctor",
    "count_doctors",
    "create_doctor",
    "institution_doctors",
    "list_specialties",
    "review_license",
    "search_doctors",
    "set_active",
    "update_doctor",
]

Write = Callable[[], AbstractAsyncContextManager[AsyncSession]]

_CONSTRAINTS = {
    "uq_doctors_email_lower": ("email", "is already used by another doctor"),
    "uq_doctors_medical_license": ("medicalLicense", "is already registered to another doctor"),
    "ck_doctors_license_format": ("medicalLicense", "has an invalid format"),
    "fk_doctors_specialty_id_specialties": ("specialtyId", "is not in the catalog"),
    "fk_doctors_secondary_specialty_id_specialties": ("secondarySpecialtyId", "is not in the catalog"),
    "ck_doctors_fee": ("consultationFee", "must be zero or positive"),
    "ck_doctors_years_experience": ("yearsExperience", "must be zero or positive"),
}  # fmt: skip


def _refused(exc: ConstraintViolation) -> Exception:
    field, message = _CONSTRAINTS.get(exc.constraint, ("input", "conflicts with existing data"))
    if exc.constraint.startswith("uq_"):
        return Conflict(f"{field} {message}", field=field)
    return Invalid(field, message)


@dataclass(frozen=True, kw_only=True)
class NewDoctor:
    first_name: str
    last_name: str
    email: str
    password: str
    medical_license: str
    institution_id: uuid.UUID | None = None
    phone: str | None = None
    specialty_id: uuid.UUID | None = None
    secondary_specialty_id: uuid.UUID | None = None
    years_experience: int = 0
    consultation_fee: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class DoctorChanges:
    """None leaves a field unchanged. The email is the login's: it changes through auth."""

    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    medical_license: str | None = None
    specialty_id: uuid.UUID | None = None
    secondary_specialty_id: uuid.UUID | None = None
    years_experience: int | None = None
    consultation_fee: Decimal | None = None
    professional_status: str | None = None
    institution_id: uuid.UUID | None = None


def _status(value: str) -> str:
    try:
        return ProfessionalStatus(value).value
    except ValueError as exc:
        raise Invalid("professionalStatus", "is not a known status") from exc


_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "first_name": lambda v: validation.clean_name(v, "firstName"),
    "last_name": lambda v: validation.clean_name(v, "lastName"),
    "email": validation.clean_email,
    "phone": validation.clean_phone,
    "medical_license": validation.clean_license,
    "years_experience": validation.clean_years,
    "consultation_fee": validation.clean_fee,
    "professional_status": _status,
}


def _clean(name: str, value: Any) -> Any:
    cleaner = _CLEANERS.get(name)
    return value if cleaner is None else cleaner(value)


async def _check_specialties(session: AsyncSession, row: Doctor) -> None:
    wanted = {i for i in (row.specialty_id, row.secondary_specialty_id) if i is not None}
    found = {s.id for s in await repository.get_specialties(session, list(wanted))}
    if row.specialty_id is not None and row.specialty_id not in found:
        raise Invalid("specialtyId", "is not in the specialty catalog")
    if row.secondary_specialty_id is not None:
        if row.secondary_specialty_id not in found:
            raise Invalid("secondarySpecialtyId", "is not in the specialty catalog")
        if row.secondary_specialty_id == row.specialty_id:
            raise Invalid("secondarySpecialtyId", "must differ from the main specialty")


async def _check_institution(directory: InstitutionDirectory, institution_id: uuid.UUID) -> None:
    active = await directory.is_active(institution_id)
    if active is None:
        raise Invalid("institutionId", "no such institution")
    if not active:
        raise Invalid("institutionId", "the institution is not active")


async def create_doctor(
    write: Write,
    logins: LoginGateway,
    directory: InstitutionDirectory,
    principal: Principal,
    data: NewDoctor,
    *,
    on_insert: Callable[[uuid.UUID], None] | None = None,
) -> Doctor:
    """Admins create doctors anywhere, an institution only for itself; the profile and its
    login both exist afterwards, or neither does."""
    institution_id = data.institution_id
    if principal.has_role(Role.INSTITUTION):
        if institution_id not in (None, principal.profile_id):
            raise Forbidden("An institution may only create its own doctors", field="institutionId")
        institution_id = principal.profile_id
    elif not access.is_admin(principal):
        raise Forbidden("Only admins and institutions may create doctors")
    if not data.password:
        raise Invalid("password", "is required")
    values = {f.name: _clean(f.name, getattr(data, f.name)) for f in fields(NewDoctor)
              if f.name not in ("password", "institution_id")}  # fmt: skip
    row = Doctor(id=uuid.uuid4(), institution_id=institution_id, is_active=True,
                 license_status=LicenseStatus.PENDING.value,
                 professional_status=ProfessionalStatus.ACTIVE.value, **values)  # fmt: skip
    if institution_id is not None:
        await _check_institution(directory, institution_id)

    async def insert(session: AsyncSession) -> Doctor:
        if on_insert is not None:  # the audit event names the doctor even if the insert fails
            on_insert(row.id)
        await _check_specialties(session, row)
        try:
            return await repository.insert(session, row)
        except ConstraintViolation as exc:
            raise _refused(exc) from exc

    def login_for(created: Doctor) -> NewLogin:
        return NewLogin(
            email=created.email, password=data.password, role=Role.DOCTOR, profile_id=created.id
        )

    def attach(created: Doctor, user_id: uuid.UUID) -> None:
        created.user_id = user_id

    return await create_with_login(write, logins, insert=insert, login_for=login_for, attach=attach)


async def _load(session: AsyncSession, doctor_id: uuid.UUID) -> Doctor:
    row = await repository.get_for_update(session, doctor_id)
    if row is None:
        raise NotFound("Doctor not found")
    return row


async def update_doctor(
    session: AsyncSession,
    principal: Principal,
    doctor_id: uuid.UUID,
    changes: DoctorChanges,
    directory: InstitutionDirectory,
) -> Doctor:
    """The doctor edits their own profile fields; their institution and admins everything
    (moving a doctor to another institution is for admins)."""
    row = await _load(session, doctor_id)
    manager, me = access.can_manage(principal, row), access.is_self(principal, row)
    if not (manager or me):
        raise Forbidden("Only the doctor, their institution and admins may update this doctor")
    for f in fields(DoctorChanges):
        value = getattr(changes, f.name)
        if value is None:
            continue
        if not manager and f.name not in access.SELF_EDITABLE:
            raise Forbidden(f"Only the institution or an admin may change {f.name}", field=f.name)
        if f.name == "institution_id":
            if not access.is_admin(principal):
                raise Forbidden("Only admins may move a doctor", field="institutionId")
            await _check_institution(directory, value)
        cleaned = _clean(f.name, value)
        if f.name == "medical_license" and cleaned != row.medical_license:
            # A new licence number has not been reviewed yet.
            row.license_status = LicenseStatus.PENDING.value
            row.license_reviewed_by = row.license_reviewed_at = None
        setattr(row, f.name, cleaned)
    await _check_specialties(session, row)
    try:
        await repository.flush(session)
    except ConstraintViolation as exc:
        raise _refused(exc) from exc
    return row


async def set_active(
    session: AsyncSession, principal: Principal, doctor_id: uuid.UUID, *, active: bool
) -> Doctor:
    row = await _load(session, doctor_id)
    if not access.can_manage(principal, row):
        raise Forbidden("Only the doctor's institution and admins may (de)activate a doctor")
    row.is_active = active
    await repository.flush(session)
    return row


async def review_license(
    session: AsyncSession, principal: Principal, doctor_id: uuid.UUID, decision: str
) -> Doctor:
    """pending → verified | rejected, by an admin or the doctor's institution; who and when
    are recorded."""
    if decision not in (LicenseStatus.VERIFIED, LicenseStatus.REJECTED):
        raise Invalid("decision", "must be VERIFIED or REJECTED")
    row = await _load(session, doctor_id)
    if not access.can_manage(principal, row):
        raise Forbidden("Only the doctor's institution and admins may review a licence")
    if row.license_status != LicenseStatus.PENDING:
        raise Conflict(f"The licence was already {row.license_status}", field="decision")
    row.license_status = decision
    row.license_reviewed_by = principal.user_id
    row.license_reviewed_at = datetime.now(UTC)
    await repository.flush(session)
    return row


def _require_reader(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise Forbidden("Authentication required")


async def search_doctors(
    session: AsyncSession,
    principal: Principal,
    where: DoctorFilter,
    sort: DoctorSort,
    *,
    first: int,
    after: str | None,
) -> Page[Doctor]:
    """The directory is readable by every authenticated caller."""
    _require_reader(principal)
    request = page_request(first, after, sort=sort.token, arity=sort.arity)
    rows = await repository.search(
        session, where, sort, after=None if request.after is None else request.after.key,
        limit=request.first + 1,
    )  # fmt: skip
    return Page.build(rows, request, sort=sort.token, key_of=lambda r: repository.sort_key(r, sort))


async def institution_doctors(
    load: Callable[[PageKey], Awaitable[list[Doctor]]],
    principal: Principal,
    institution_id: uuid.UUID,
    where: DoctorFilter,
    sort: DoctorSort,
    *,
    first: int,
    after: str | None,
) -> Page[Doctor]:
    """One institution's page through a batching loader (one statement for all institutions)."""
    _require_reader(principal)
    request = page_request(first, after, sort=sort.token, arity=sort.arity)
    key = None if request.after is None else request.after.key
    rows = await load(PageKey(institution_id, where, sort, request.first + 1, key))
    return Page.build(rows, request, sort=sort.token, key_of=lambda r: repository.sort_key(r, sort))


async def count_doctors(session: AsyncSession, principal: Principal, where: DoctorFilter) -> int:
    _require_reader(principal)
    return await repository.count(session, where)


async def list_specialties(session: AsyncSession) -> list[Specialty]:
    return list(await repository.list_specialties(session))
