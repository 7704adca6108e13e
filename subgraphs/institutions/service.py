"""Institution rules: who may do and see what, validation, all-or-nothing writes. No Strawberry."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.institutions import repository, validation
from subgraphs.institutions.attachments import Attachments
from subgraphs.institutions.models import Institution
from subgraphs.institutions.repository import ConstraintViolation
from subgraphs.institutions.search import InstitutionFilter, InstitutionSort
from subgraphs.kit.context import last_step
from subgraphs.kit.errors import Conflict, Forbidden, Invalid, NotFound
from subgraphs.kit.keyset import Page, page_request
from subgraphs.kit.logins import LoginGateway, NewLogin, create_with_login
from subgraphs.kit.principal import Principal, Role

__all__ = [
    "InstitutionChanges",
    "NewInstitution",
    "can_see_private",
    "count_institutions",
    "create_institution",
    "delete_institution",
    "require_private",
    "search_institutions",
    "set_active",
    "update_institution",
]

Write = Callable[[], AbstractAsyncContextManager[AsyncSession]]

#: Constraint → (field, message) for the database's last word on uniqueness and formats.
_CONSTRAINTS = {
    "uq_institutions_contact_email_lower": ("contactEmail", "is already used by an institution"),
    "uq_institutions_license_number": ("licenseNumber", "is already registered"),
    "ck_institutions_license_format": ("licenseNumber", "has an invalid format"),
    "ck_institutions_institution_type": ("institutionType", "is not a known type"),
}


def _conflict(exc: ConstraintViolation) -> Exception:
    field, message = _CONSTRAINTS.get(exc.constraint, ("input", "conflicts with existing data"))
    if exc.constraint.startswith("uq_"):
        return Conflict(f"{field} {message}", field=field)
    return Invalid(field, message)


def can_see_private(principal: Principal, row: Institution) -> bool:
    """Contact and business fields: admins, services, and the institution itself."""
    if principal.has_role(Role.ADMIN, Role.SERVICE):
        return True
    return principal.has_role(Role.INSTITUTION) and principal.profile_id == row.id


def require_private(principal: Principal, row: Institution, field: str) -> None:
    if not can_see_private(principal, row):
        raise Forbidden(f"Only the institution itself and admins may see {field}", field=field)


def _require_reader(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise Forbidden("Authentication required")


@dataclass(frozen=True, kw_only=True)
class NewInstitution:
    name: str
    institution_type: str
    contact_email: str
    password: str
    license_number: str
    phone: str | None = None
    address: str | None = None
    region: str | None = None
    website: str | None = None
    is_verified: bool = False


@dataclass(frozen=True, kw_only=True)
class InstitutionChanges:
    """None leaves a field unchanged."""

    name: str | None = None
    institution_type: str | None = None
    contact_email: str | None = None
    phone: str | None = None
    address: str | None = None
    region: str | None = None
    website: str | None = None
    license_number: str | None = None
    is_verified: bool | None = None


#: Fields only an admin may change: what the institution is, not how to reach it.
_ADMIN_ONLY = {"institution_type", "license_number", "is_verified"}

_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "name": validation.clean_name,
    "institution_type": validation.clean_type,
    "contact_email": validation.clean_email,
    "phone": validation.clean_phone,
    "address": validation.clean_address,
    "region": validation.clean_region,
    "website": validation.clean_website,
    "license_number": validation.clean_license,
    "is_verified": bool,
}


async def create_institution(
    write: Write,
    logins: LoginGateway,
    principal: Principal,
    data: NewInstitution,
    *,
    on_insert: Callable[[uuid.UUID], None] | None = None,
) -> Institution:
    """Admins (directly or via the admins subgraph's service call) create an institution and
    its login together: both exist afterwards, or neither does."""
    if not principal.has_role(Role.ADMIN, Role.SERVICE):
        raise Forbidden("Only admins may create institutions")
    if not data.password:
        raise Invalid("password", "is required")
    row = Institution(
        id=uuid.uuid4(),
        is_active=True,
        **{f.name: _CLEANERS[f.name](getattr(data, f.name)) for f in fields(NewInstitution)
           if f.name != "password"},
    )  # fmt: skip

    async def insert(session: AsyncSession) -> Institution:
        if on_insert is not None:  # the audit event names the institution even if this fails
            on_insert(row.id)
        try:
            return await repository.insert(session, row)
        except ConstraintViolation as exc:
            raise _conflict(exc) from exc

    def login_for(created: Institution) -> NewLogin:
        return NewLogin(
            email=created.contact_email,
            password=data.password,
            role=Role.INSTITUTION,
            profile_id=created.id,
        )

    def attach(created: Institution, user_id: uuid.UUID) -> None:
        created.user_id = user_id

    return await create_with_login(write, logins, insert=insert, login_for=login_for, attach=attach)


async def _load_for_change(
    session: AsyncSession, principal: Principal, institution_id: uuid.UUID
) -> Institution:
    row = await repository.get_for_update(session, institution_id)
    if row is None:
        raise NotFound("Institution not found")
    return row


async def update_institution(
    session: AsyncSession,
    principal: Principal,
    institution_id: uuid.UUID,
    changes: InstitutionChanges,
) -> Institution:
    """Admins change anything; the institution itself its name and contact details."""
    is_admin = principal.has_role(Role.ADMIN, Role.SERVICE)
    is_self = principal.has_role(Role.INSTITUTION) and principal.profile_id == institution_id
    if not (is_admin or is_self):
        raise Forbidden("Only admins and the institution itself may update it")
    row = await _load_for_change(session, principal, institution_id)
    for f in fields(InstitutionChanges):
        value = getattr(changes, f.name)
        if value is None:
            continue
        if f.name in _ADMIN_ONLY and not is_admin:
            raise Forbidden(f"Only admins may change {f.name}", field=f.name)
        setattr(row, f.name, _CLEANERS[f.name](value))
    try:
        await repository.flush(session)
    except ConstraintViolation as exc:
        raise _conflict(exc) from exc
    return row


async def _refuse_if_attached(attachments: Attachments, institution_id: uuid.UUID) -> None:
    counts = await attachments.active(institution_id)
    attached = {kind: n for kind, n in counts.items() if n}
    if attached:
        listed = ", ".join(f"{n} active {kind}" for kind, n in sorted(attached.items()))
        raise Conflict(
            f"The institution still has {listed}; move them first or pass force: true",
            attached=attached,
        )


async def set_active(
    session: AsyncSession,
    principal: Principal,
    institution_id: uuid.UUID,
    *,
    active: bool,
    force: bool,
    attachments: Attachments,
) -> Institution:
    if not principal.has_role(Role.ADMIN, Role.SERVICE):
        raise Forbidden("Only admins may activate or deactivate institutions")
    row = await _load_for_change(session, principal, institution_id)
    if not active and row.is_active and not force:
        await _refuse_if_attached(attachments, institution_id)
    row.is_active = active
    await repository.flush(session)
    return row


async def delete_institution(
    session: AsyncSession,
    principal: Principal,
    institution_id: uuid.UUID,
    *,
    force: bool,
    attachments: Attachments,
    logins: LoginGateway,
) -> uuid.UUID:
    """Remove the profile and its login; the row is deleted in the caller's transaction, which
    rolls back when the login cannot be removed. The login goes as the last step before COMMIT
    (after every other write was flushed), so only COMMIT itself can fail once it is gone."""
    if not principal.has_role(Role.ADMIN, Role.SERVICE):
        raise Forbidden("Only admins may delete institutions")
    row = await _load_for_change(session, principal, institution_id)
    if not force:
        await _refuse_if_attached(attachments, institution_id)
    await repository.delete_institution(session, institution_id)
    await repository.flush(session)
    if row.user_id is not None:
        # Not undoable: last, once the row and the audit event are flushed (kit.context).
        user_id = row.user_id
        last_step(session, lambda: logins.delete_login(user_id))
    return institution_id


async def search_institutions(
    session: AsyncSession,
    principal: Principal,
    where: InstitutionFilter,
    sort: InstitutionSort,
    *,
    first: int,
    after: str | None,
) -> Page[Institution]:
    """The directory is readable by every authenticated caller."""
    _require_reader(principal)
    request = page_request(first, after, sort=sort.token, arity=2)
    rows = await repository.search(
        session,
        where,
        sort,
        after=None if request.after is None else request.after.key,
        limit=request.first + 1,
    )
    return Page.build(rows, request, sort=sort.token, key_of=lambda r: repository.sort_key(r, sort))


async def count_institutions(
    session: AsyncSession, principal: Principal, where: InstitutionFilter
) -> int:
    _require_reader(principal)
    return await repository.count(session, where)
