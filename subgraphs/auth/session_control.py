"""Ending sessions (logout, revoke one, all, a device's, an admin's revoke), issuing tokens for a
user (admin/service), and checking a token for integrators. No Strawberry here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from subgraphs.auth import repository
from subgraphs.auth.auditing import audited
from subgraphs.auth.runtime import AuthRuntime
from subgraphs.auth.sessions import SignedIn, revoke_sessions, start_session
from subgraphs.auth.throttle import LoginThrottle
from subgraphs.kit.context import RequestContext
from subgraphs.kit.errors import Forbidden, NotFound, Unauthenticated
from subgraphs.kit.principal import Principal, Role

__all__ = [
    "TokenCheck",
    "create_tokens",
    "logout",
    "require_user",
    "revoke_all_sessions",
    "revoke_device",
    "revoke_session",
    "unlock_user",
    "verify_token",
]


def require_user(ctx: RequestContext) -> Principal:
    """A signed-in person (not a bare service call): sessions belong to someone."""
    principal = ctx.principal
    if principal.user_id is None:
        raise Unauthenticated(ctx.extras.get("auth_error", "Authentication required"))
    return principal


def _may_manage(principal: Principal, owner: uuid.UUID) -> bool:
    return principal.user_id == owner or principal.has_role(Role.ADMIN, Role.SERVICE)


async def logout(ctx: RequestContext, runtime: AuthRuntime) -> bool:
    """End the caller's current session (its access and refresh tokens stop working)."""
    principal = require_user(ctx)
    assert principal.session_id is not None  # every user token carries its session
    audit = audited(ctx)
    audit.target(principal.user_id)
    audit.note.details["session_ids"] = [str(principal.session_id)]
    async with audit.write() as session:
        revoked = await revoke_sessions(
            ctx, runtime, session, reason="logout", by=principal.user_id,
            session_ids=[principal.session_id],
        )  # fmt: skip
    await runtime.mirror.publish(revoked)
    return bool(revoked)


async def revoke_session(ctx: RequestContext, runtime: AuthRuntime, session_id: uuid.UUID) -> bool:
    """One session: the caller's own, or anyone's for an admin. Unknown and foreign sessions
    answer the same (NOT_FOUND), so ids cannot be probed."""
    principal = ctx.principal
    if not principal.is_authenticated:
        raise Unauthenticated(ctx.extras.get("auth_error", "Authentication required"))
    audit = audited(ctx)
    audit.note.details["session_ids"] = [str(session_id)]
    async with audit.write() as session:
        row = await repository.get_session(session, session_id)
        if row is None or not _may_manage(principal, row.user_id):
            raise NotFound("Session not found")
        audit.target(row.user_id)
        revoked = await revoke_sessions(
            ctx, runtime, session, reason="revoked", by=principal.user_id, session_ids=[row.id]
        )
    await runtime.mirror.publish(revoked)
    return bool(revoked)


async def revoke_all_sessions(
    ctx: RequestContext, runtime: AuthRuntime, user_id: uuid.UUID | None
) -> int:
    """Every session of a user: the caller's own by default; another user's for admins/services."""
    principal = ctx.principal
    if not principal.is_authenticated:
        raise Unauthenticated(ctx.extras.get("auth_error", "Authentication required"))
    target = user_id or principal.user_id
    if target is None:
        raise NotFound("User not found")
    audit = audited(ctx)
    audit.target(target)
    if not _may_manage(principal, target):
        raise Forbidden("Only administrators may end another user's sessions")
    async with audit.write() as session:
        revoked = await revoke_sessions(
            ctx, runtime, session, reason="revoked_all", by=principal.user_id, user_id=target
        )
        audit.note.details["session_ids"] = [str(r.session_id) for r in revoked]
    await runtime.mirror.publish(revoked)
    return len(revoked)


async def revoke_device(ctx: RequestContext, runtime: AuthRuntime, device_id: uuid.UUID) -> int:
    """Sign a device out: every live session opened from it."""
    principal = require_user(ctx)
    audit = audited(ctx)
    audit.note.details["device_id"] = str(device_id)
    async with audit.write() as session:
        devices = await repository.devices_by_ids(session, [device_id])
        if not devices or not _may_manage(principal, devices[0].user_id):
            raise NotFound("Device not found")
        audit.target(devices[0].user_id)
        ids = list(await repository.live_session_ids_of_device(session, device_id))
        revoked = await revoke_sessions(
            ctx, runtime, session, reason="device_revoked", by=principal.user_id, session_ids=ids
        )
    await runtime.mirror.publish(revoked)
    return len(revoked)


async def create_tokens(ctx: RequestContext, runtime: AuthRuntime, user_id: uuid.UUID) -> SignedIn:
    """A session for any user, without their password: administrators and services only."""
    principal = ctx.principal
    if not principal.is_authenticated:
        raise Unauthenticated(ctx.extras.get("auth_error", "Authentication required"))
    if not principal.has_role(Role.ADMIN, Role.SERVICE):
        raise Forbidden("Only administrators and services may issue tokens for a user")
    audited(ctx).target(user_id)
    async with ctx.read() as session:
        user = await repository.get_user(session, user_id)
    if user is None or not user.is_active:
        raise NotFound("User not found")
    return await start_session(ctx, runtime, user, kind="tokens_issued")


async def unlock_user(ctx: RequestContext, runtime: AuthRuntime, user_id: uuid.UUID) -> bool:
    """Lift a lockout (database and throttle counters); false when there is no such user."""
    principal = ctx.principal
    if not principal.is_authenticated:
        raise Unauthenticated(ctx.extras.get("auth_error", "Authentication required"))
    if not principal.has_role(Role.ADMIN, Role.SERVICE):
        raise Forbidden("Only administrators may unlock an account")
    audit = audited(ctx)
    audit.target(user_id)
    async with audit.write() as session:
        user = await repository.get_user(session, user_id)
        if user is None:
            audit.outcome = "not_found"
            return False
        await repository.unlock_user(session, user_id)
        await repository.add_event(
            session, user_id=user_id, kind="account_unlocked", ip=ctx.client_ip,
            detail={"by": str(principal.user_id) if principal.user_id else "service"},
        )  # fmt: skip
    await LoginThrottle(ctx.redis, ctx.settings, runtime.policy).record_success(user.email)
    return True


@dataclass(frozen=True, slots=True)
class TokenCheck:
    valid: bool
    reason: str | None = None
    principal: Principal | None = None
    expires_at: datetime | None = None


async def verify_token(ctx: RequestContext, token: str) -> TokenCheck:
    """What this access token is worth right now: signature, claims, expiry and revocation."""
    assert ctx.request is not None
    authenticator = ctx.request.app.state.authenticator
    try:
        principal: Principal = await authenticator.verify(token)
    except Unauthenticated as exc:
        return TokenCheck(valid=False, reason=exc.message)
    return TokenCheck(valid=True, principal=principal, expires_at=principal.expires_at)
