"""Admin rules: only admins manage admins, logins all-or-nothing, never the last admin."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.admins import repository
from subgraphs.admins.models import Admin
from subgraphs.admins.repository import ConstraintViolation
from subgraphs.kit.errors import Conflict, Forbidden, Invalid, NotFound
from subgraphs.kit.keyset import Page, page_request
from subgraphs.kit.logins import LoginGateway, NewLogin, create_with_login
from subgraphs.kit.principal import Principal, Role

__all__ = [
    "AdminChanges",
    "NewAdmin",
    "create_admin",
    "get_admin",
    "list_admins",
    "require_admin",
    "set_active",
    "update_admin",
]

Write = Callable[[], AbstractAsyncContextManager[AsyncSession]]
_SORT = "name:asc"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


@dataclass(frozen=True, kw_only=True)
class NewAdmin:
    first_name: str
    last_name: str
    email: str
    password: str
    department: str | None = None


@dataclass(frozen=True, kw_only=True)
class AdminChanges:
    first_name: str | None = None
    last_name: str | None = None
    department: str | None = None


def require_admin(principal: Principal) -> None:
    if not principal.has_role(Role.ADMIN, Role.SERVICE):
        raise Forbidden("Only administrators may manage administrators")


def _name(value: str, field: str) -> str:
    cleaned = " ".join(value.split())
    if not 1 <= len(cleaned) <= 100:
        raise Invalid(field, "must be between 1 and 100 characters")
    return cleaned


def _email(value: str) -> str:
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise Invalid("email", "is not a valid email address")
    return email


def _department(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    cleaned = " ".join(value.split())
    if len(cleaned) > 100:
        raise Invalid("department", "must be at most 100 characters")
    return cleaned


def new_admin_row(data: NewAdmin) -> Admin:
    if not data.password:
        raise Invalid("password", "is required")
    return Admin(
        id=uuid.uuid4(),
        first_name=_name(data.first_name, "firstName"),
        last_name=_name(data.last_name, "lastName"),
        email=_email(data.email),
        department=_department(data.department),
        is_active=True,
    )


async def create_admin(
    write: Write,
    logins: LoginGateway,
    principal: Principal,
    data: NewAdmin,
    *,
    on_insert: Callable[[uuid.UUID], None] | None = None,
) -> Admin:
    """The profile and its login both exist afterwards, or neither does."""
    require_admin(principal)
    row = new_admin_row(data)
    return await insert_with_login(write, logins, row, data.password, on_insert=on_insert)


async def insert_with_login(
    write: Write,
    logins: LoginGateway,
    row: Admin,
    password: str,
    *,
    on_insert: Callable[[uuid.UUID], None] | None = None,
) -> Admin:
    """`on_insert` hears the new id inside the transaction (e.g. for its audit event)."""

    async def insert(session: AsyncSession) -> Admin:
        if on_insert is not None:
            on_insert(row.id)
        try:
            return await repository.insert(session, row)
        except ConstraintViolation as exc:
            if exc.constraint == "uq_admins_email_lower":
                raise Conflict("email is already used by another admin", field="email") from exc
            raise

    def login_for(created: Admin) -> NewLogin:
        return NewLogin(
            email=created.email, password=password, role=Role.ADMIN, profile_id=created.id
        )

    def attach(created: Admin, user_id: uuid.UUID) -> None:
        created.user_id = user_id

    return await create_with_login(write, logins, insert=insert, login_for=login_for, attach=attach)


async def _load(session: AsyncSession, admin_id: uuid.UUID) -> Admin:
    row = await repository.get_for_update(session, admin_id)
    if row is None:
        raise NotFound("Admin not found")
    return row


async def update_admin(
    session: AsyncSession, principal: Principal, admin_id: uuid.UUID, changes: AdminChanges
) -> Admin:
    require_admin(principal)
    row = await _load(session, admin_id)
    if changes.first_name is not None:
        row.first_name = _name(changes.first_name, "firstName")
    if changes.last_name is not None:
        row.last_name = _name(changes.last_name, "lastName")
    if changes.department is not None:
        row.department = _department(changes.department)
    await repository.flush(session)
    return row


async def set_active(
    session: AsyncSession, principal: Principal, admin_id: uuid.UUID, *, active: bool
) -> Admin:
    """Deactivating the last active admin is refused: nobody could manage the system after."""
    require_admin(principal)
    row = await _load(session, admin_id)
    if not active and row.is_active and await repository.active_count(session, lock=True) <= 1:
        raise Conflict("The last active administrator cannot be deactivated")
    row.is_active = active
    await repository.flush(session)
    return row


async def list_admins(
    session: AsyncSession, principal: Principal, *, first: int, after: str | None
) -> Page[Admin]:
    require_admin(principal)
    request = page_request(first, after, sort=_SORT, arity=3)
    key = None if request.after is None else request.after.key
    rows = await repository.list_page(session, after=key, limit=request.first + 1)
    return Page.build(rows, request, sort=_SORT, key_of=lambda r: (r.last_name, r.first_name, r.id))


async def get_admin(
    session: AsyncSession, principal: Principal, admin_id: uuid.UUID
) -> Admin | None:
    """Admins see every admin; anyone else sees none (not even that one exists)."""
    if not principal.has_role(Role.ADMIN, Role.SERVICE):
        return None
    rows = await repository.get_many(session, [admin_id])
    return rows[0] if rows else None
