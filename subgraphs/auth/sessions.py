"""Sign-in and sessions: login, refresh-token rotation with reuse detection, logout and revoke.

No Strawberry here. bcrypt runs in a worker thread and never inside a database transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.auth import repository
from subgraphs.auth.auditing import audited
from subgraphs.auth.devices import describe_device
from subgraphs.auth.models import User, UserSession, UserToken
from subgraphs.auth.passwords import verify_password
from subgraphs.auth.revocation import Revocation
from subgraphs.auth.runtime import AuthRuntime
from subgraphs.auth.throttle import LoginThrottle, TooManyAttempts
from subgraphs.auth.tokens import hash_refresh_token, issue_access_token, new_refresh_token
from subgraphs.kit.context import RequestContext
from subgraphs.kit.errors import Unauthenticated

__all__ = [
    "INVALID_CREDENTIALS",
    "SignedIn",
    "login",
    "refresh",
    "revoke_sessions",
    "start_session",
]

INVALID_CREDENTIALS = "Invalid email or password"


@dataclass(frozen=True, slots=True)
class SignedIn:
    access_token: str
    refresh_token: str
    expires_in: int
    session_id: uuid.UUID
    user: User


def _revocation_rows(
    revoked: list[tuple[uuid.UUID, uuid.UUID]],
    *,
    reason: str,
    by: uuid.UUID | None,
    now: datetime,
    ttl: timedelta,
) -> tuple[list[dict[str, Any]], list[Revocation]]:
    expires = now + ttl
    rows = [
        {"session_id": sid, "user_id": uid, "reason": reason, "revoked_by": by,
         "revoked_at": now, "expires_at": expires}
        for sid, uid in revoked
    ]  # fmt: skip
    return rows, [Revocation(sid, None, expires) for sid, _ in revoked]


def _revocation_ttl(ctx: RequestContext) -> timedelta:
    # Once no access token of the session can be alive, the refresh check in the database suffices.
    return timedelta(seconds=ctx.settings.jwt_access_ttl_seconds + 60)


async def revoke_sessions(
    ctx: RequestContext,
    runtime: AuthRuntime,
    session: AsyncSession,
    *,
    reason: str,
    by: uuid.UUID | None,
    session_ids: list[uuid.UUID] | None = None,
    user_id: uuid.UUID | None = None,
    except_session: uuid.UUID | None = None,
) -> list[Revocation]:
    """Revoke in this unit of work; the caller publishes the result once it has committed."""
    now = datetime.now(UTC)
    revoked = await repository.revoke_sessions(
        session, now=now, reason=reason, session_ids=session_ids, user_id=user_id,
        except_session=except_session,
    )  # fmt: skip
    rows, entries = _revocation_rows(
        revoked, reason=reason, by=by, now=now, ttl=_revocation_ttl(ctx)
    )
    await repository.record_revocations(session, rows)
    for sid, uid in revoked:
        await repository.add_event(
            session, user_id=uid, kind="session_revoked", ip=ctx.client_ip,
            user_agent=ctx.user_agent, detail={"session_id": str(sid), "reason": reason},
        )  # fmt: skip
    return entries


async def start_session(
    ctx: RequestContext, runtime: AuthRuntime, user: User, *, kind: str = "login"
) -> SignedIn:
    """Open a session for `user` from this request's device; returns its first token pair."""
    now = datetime.now(UTC)
    device = describe_device(ctx.user_agent)
    refresh_token, refresh_hash = new_refresh_token()
    audit = audited(ctx)
    audit.target(user.id)
    async with audit.write() as session:
        device_id, is_new_device = await repository.upsert_device(
            session,
            {"user_id": user.id, "fingerprint": device.fingerprint,
             "user_agent": device.user_agent, "browser": device.browser, "os": device.os,
             "device_type": device.device_type, "last_ip": ctx.client_ip,
             "first_seen_at": now, "last_seen_at": now},
        )  # fmt: skip
        row = UserSession(
            id=uuid.uuid4(), user_id=user.id, device_id=device_id, ip=ctx.client_ip,
            user_agent=device.user_agent, created_at=now, last_seen_at=now,
            expires_at=now + timedelta(seconds=ctx.settings.jwt_refresh_ttl_seconds),
        )  # fmt: skip
        session.add(row)
        await session.flush()
        session.add(
            UserToken(session_id=row.id, user_id=user.id, token_hash=refresh_hash,
                      created_at=now, expires_at=row.expires_at)
        )  # fmt: skip
        if kind == "login":
            await repository.mark_login(session, user.id, now)
        detail = {"session_id": str(row.id), "device": f"{device.browser} on {device.os}"}
        audit.note.details.update(detail, new_device=is_new_device)
        await repository.add_event(
            session, user_id=user.id, kind=kind, ip=ctx.client_ip, user_agent=device.user_agent,
            detail=detail,
        )  # fmt: skip
        if is_new_device:
            await repository.add_event(
                session, user_id=user.id, kind="new_device", ip=ctx.client_ip,
                user_agent=device.user_agent, detail={**detail, "device_id": str(device_id)},
            )  # fmt: skip
    access = await issue_access_token(runtime.keys, ctx.settings, user=user, session_id=row.id)
    return SignedIn(access.token, refresh_token, access.expires_in, row.id, user)


async def login(ctx: RequestContext, runtime: AuthRuntime, email: str, password: str) -> SignedIn:
    """Email + password → session. Unknown email and wrong password are indistinguishable."""
    throttle = LoginThrottle(ctx.redis, ctx.settings, runtime.policy)
    await throttle.check(email, ctx.client_ip)
    async with ctx.read() as session:
        user = await repository.get_user_by_email(session, email)
    now = datetime.now(UTC)
    # The database lock holds even when Redis (and so the throttle) is unavailable.
    db_locked = user is not None and user.locked_until is not None and user.locked_until > now
    usable = user is not None and user.password_hash is not None and user.is_active
    # Always one bcrypt check, against a decoy when there is nothing real to check.
    hashed = user.password_hash if usable and user is not None else None
    matches = await verify_password(password, hashed or runtime.dummy_hash)
    if db_locked and user is not None and user.locked_until is not None:
        raise TooManyAttempts((user.locked_until - now).total_seconds())
    if usable and matches and user is not None:
        await throttle.record_success(email)
        return await start_session(ctx, runtime, user)
    failures = await throttle.record_failure(email, ctx.client_ip)
    if failures is None:  # Redis down: count on the user row instead
        failures = user.failed_login_count + 1 if user is not None else 0
    locked = failures >= runtime.policy.account_lock_after
    audit = audited(ctx)
    audit.refuse("denied", "invalid_credentials")
    audit.note.details["locked"] = locked
    if user is not None:
        audit.target(user.id)
    async with audit.write() as session:
        await repository.record_failed_login(
            session,
            user_id=user.id if user is not None else None,
            ip=ctx.client_ip,
            user_agent=ctx.user_agent,
            lock_until=now + timedelta(seconds=runtime.policy.lock_seconds) if locked else None,
        )
    raise Unauthenticated(INVALID_CREDENTIALS)


async def refresh(ctx: RequestContext, runtime: AuthRuntime, refresh_token: str) -> SignedIn:
    """Rotate: the presented token is spent and a new pair issued. A spent token presented
    again means it was copied: the whole session is revoked."""
    now = datetime.now(UTC)
    new_token, new_hash = new_refresh_token()
    failure: str | None = None
    revoked: list[Revocation] = []
    user: User | None = None
    session_id: uuid.UUID | None = None
    audit = audited(ctx)
    async with audit.write() as session:
        token = await repository.token_for_update(session, hash_refresh_token(refresh_token))
        row = None if token is None else await repository.get_session(session, token.session_id)
        if row is not None:
            audit.target(row.user_id)
            audit.note.details["session_id"] = str(row.id)
        if token is None or row is None:
            failure = "Invalid refresh token"
        elif token.used_at is not None:
            failure = "Refresh token already used; the session has been revoked"
            revoked = await revoke_sessions(
                ctx, runtime, session, reason="refresh_reuse", by=None, session_ids=[row.id]
            )
            await repository.add_event(
                session, user_id=row.user_id, kind="refresh_reuse", ip=ctx.client_ip,
                user_agent=ctx.user_agent, detail={"session_id": str(row.id)},
            )  # fmt: skip
        elif row.revoked_at is not None or row.expires_at <= now or token.expires_at <= now:
            failure = "Session expired or revoked"
        else:
            user = await repository.get_user(session, row.user_id)
            if user is None or not user.is_active:
                failure = "Session expired or revoked"
            else:
                token.used_at = now
                row.last_seen_at = now
                session_id = row.id
                session.add(
                    UserToken(session_id=row.id, user_id=row.user_id, token_hash=new_hash,
                              created_at=now, expires_at=row.expires_at)
                )  # fmt: skip
                await repository.touch_device(session, row.device_id, now, ctx.client_ip)
        if failure is not None:
            audit.refuse("denied", failure)
    # Committed: the revocation stands even though this request fails.
    await runtime.mirror.publish(revoked)
    if failure is not None or user is None or session_id is None:
        raise Unauthenticated(failure or "Invalid refresh token")
    access = await issue_access_token(runtime.keys, ctx.settings, user=user, session_id=session_id)
    return SignedIn(access.token, new_token, access.expires_in, session_id, user)
