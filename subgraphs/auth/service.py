"""Logins (users): created and removed by the other subgraphs with the service credential, and
password changes. No Strawberry here."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from subgraphs.auth import repository
from subgraphs.auth.auditing import audited
from subgraphs.auth.models import User
from subgraphs.auth.password_policy import check_password
from subgraphs.auth.passwords import hash_password, verify_password
from subgraphs.auth.revocation import Revocation
from subgraphs.auth.runtime import AuthRuntime
from subgraphs.auth.sessions import revoke_sessions
from subgraphs.kit.context import RequestContext
from subgraphs.kit.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from subgraphs.kit.principal import Principal, Role

__all__ = ["NewUser", "change_password", "create_user", "delete_user", "require_service"]

# Deliberately loose: one @, something on each side, a dot in the domain. Deliverability is the
# mail system's business, not a regex's.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class NewUser:
    email: str
    role: Role
    password: str | None = None
    profile_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None


def require_service(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise Unauthenticated("Service credentials required")
    if not principal.has_role(Role.SERVICE):
        raise Forbidden("Only other PredictHealth services may do this")


async def create_user(ctx: RequestContext, new: NewUser) -> User:
    """A login for a new doctor/patient/institution/admin/analyst (service callers only)."""
    require_service(ctx.principal)
    audit = audited(ctx)
    if new.user_id is not None:
        audit.target(new.user_id)
    audit.note.details["role"] = new.role.value
    email = new.email.strip()
    if len(email) > 254 or not _EMAIL.match(email):
        raise Invalid("email", "is not a valid email address")
    if new.role is Role.SERVICE:
        raise Invalid("role", "service principals have no login")
    password_hash = None
    if new.password is not None:
        check_password(new.password, email=email)
        password_hash = await hash_password(new.password, ctx.settings.bcrypt_rounds)
    now = datetime.now(UTC)
    try:
        async with audit.write() as session:
            if new.user_id is not None:
                existing = await repository.get_user(session, new.user_id)
                if existing is not None:
                    audit.note.details["retry"] = True
                    return _same_login_or_conflict(existing, email, new)
            if await repository.get_user_by_email(session, email) is not None:
                raise Conflict("A login with this email already exists", field="email")
            user = User(
                id=new.user_id or uuid.uuid4(), email=email, role=new.role.value, profile_id=new.profile_id,
                password_hash=password_hash, is_active=True,
                password_changed_at=now if password_hash else None,
            )  # fmt: skip
            session.add(user)
            await session.flush()
            audit.target(user.id)
            await repository.add_event(session, user_id=user.id, kind="user_created")
    except IntegrityError as exc:  # a concurrent create of the same email won the race
        raise Conflict("A login with this email already exists", field="email") from exc
    return user


def _same_login_or_conflict(existing: User, email: str, new: NewUser) -> User:
    """A retried create (same id, email, role, profile) answers the login it made the first time."""
    same = (
        existing.email.lower() == email.lower()
        and existing.role == new.role.value
        and existing.profile_id == new.profile_id
    )
    if not same:
        raise Conflict("A different login already has this id", field="id")
    return existing


async def delete_user(ctx: RequestContext, runtime: AuthRuntime, user_id: uuid.UUID) -> bool:
    """Remove a login (compensation when a cross-service create fails); its sessions die first."""
    require_service(ctx.principal)
    audit = audited(ctx)
    audit.target(user_id)
    async with audit.write() as session:
        revoked = await revoke_sessions(
            ctx, runtime, session, reason="user_deleted", by=None, user_id=user_id
        )
        deleted = await repository.delete_user(session, user_id)
        if not deleted:
            audit.outcome = "not_found"
    await runtime.mirror.publish(revoked)
    return deleted


async def change_password(
    ctx: RequestContext, runtime: AuthRuntime, current: str, new: str
) -> list[Revocation]:
    """The caller's own password; every other session of theirs is revoked."""
    principal = ctx.principal
    if principal.user_id is None:
        raise Unauthenticated(ctx.extras.get("auth_error", "Authentication required"))
    audit = audited(ctx)
    audit.target(principal.user_id)
    audit.note.fields.append("password")
    async with ctx.read() as session:
        user = await repository.get_user(session, principal.user_id)
    if user is None:
        raise NotFound("User not found")
    if user.password_hash is None or not await verify_password(current, user.password_hash):
        raise Invalid("currentPassword", "is not your current password")
    check_password(new, field="newPassword", email=user.email)
    new_hash = await hash_password(new, ctx.settings.bcrypt_rounds)
    async with audit.write() as session:
        await repository.set_password(session, user.id, new_hash, datetime.now(UTC))
        revoked = await revoke_sessions(
            ctx, runtime, session, reason="password_changed", by=user.id, user_id=user.id,
            except_session=principal.session_id,
        )  # fmt: skip
        await repository.add_event(
            session, user_id=user.id, kind="password_changed", ip=ctx.client_ip,
            user_agent=ctx.user_agent,
        )  # fmt: skip
    await runtime.mirror.publish(revoked)
    return revoked
