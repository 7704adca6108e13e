"""SQL for users, sessions, refresh tokens, revocations, devices and keys; the only module here
that builds queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, literal_column, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.auth.models import (
    Device,
    RevokedToken,
    SecurityEvent,
    SigningKey,
    User,
    UserSession,
    UserToken,
)

__all__ = [
    "active_sessions",
    "add_event",
    "delete_keys_retired_before",
    "delete_user",
    "devices_by_ids",
    "devices_of_users",
    "events_of_user",
    "get_many",
    "get_session",
    "get_user",
    "get_user_by_email",
    "is_revoked",
    "live_revocations",
    "live_session_ids_of_device",
    "lock_signing_keys",
    "mark_login",
    "prune",
    "published_keys",
    "record_failed_login",
    "record_revocations",
    "retire_keys",
    "revoke_sessions",
    "sessions_of_users",
    "set_password",
    "token_for_update",
    "touch_device",
    "unlock_user",
    "upsert_device",
]


async def get_many(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[User]:
    return (await session.scalars(select(User).where(User.id.in_(ids)))).all()


async def get_user(session: AsyncSession, user_id: uuid.UUID, *, lock: bool = False) -> User | None:
    query = select(User).where(User.id == user_id)
    if lock:
        query = query.with_for_update()
    return (await session.scalars(query)).one_or_none()


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    query = select(User).where(func.lower(User.email) == email.strip().lower())
    return (await session.scalars(query)).one_or_none()


async def delete_user(session: AsyncSession, user_id: uuid.UUID) -> bool:
    result = await session.execute(delete(User).where(User.id == user_id).returning(User.id))
    return result.scalar_one_or_none() is not None


# --- signing keys -------------------------------------------------------------------------


async def lock_signing_keys(session: AsyncSession) -> None:
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('auth.signing_keys'))"))


async def published_keys(session: AsyncSession, retired_after: datetime) -> Sequence[SigningKey]:
    """Keys still signing, or retired recently enough that their tokens may be alive; newest first."""
    query = (
        select(SigningKey)
        .where((SigningKey.retired_at.is_(None)) | (SigningKey.retired_at > retired_after))
        .order_by(SigningKey.created_at.desc())
    )
    return (await session.scalars(query)).all()


async def retire_keys(session: AsyncSession, now: datetime) -> None:
    await session.execute(
        update(SigningKey).where(SigningKey.retired_at.is_(None)).values(retired_at=now)
    )


async def delete_keys_retired_before(session: AsyncSession, cutoff: datetime) -> None:
    await session.execute(delete(SigningKey).where(SigningKey.retired_at < cutoff))


# --- sessions and refresh tokens ----------------------------------------------------------


async def get_session(session: AsyncSession, session_id: uuid.UUID) -> UserSession | None:
    return await session.get(UserSession, session_id)


async def token_for_update(session: AsyncSession, token_hash: str) -> UserToken | None:
    query = select(UserToken).where(UserToken.token_hash == token_hash).with_for_update()
    return (await session.scalars(query)).one_or_none()


async def active_sessions(
    session: AsyncSession, user_id: uuid.UUID, now: datetime
) -> Sequence[UserSession]:
    query = (
        select(UserSession)
        .where(
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > now,
        )
        .order_by(UserSession.last_seen_at.desc())
    )
    return (await session.scalars(query)).all()


async def revoke_sessions(
    session: AsyncSession,
    *,
    now: datetime,
    reason: str,
    session_ids: Sequence[uuid.UUID] | None = None,
    user_id: uuid.UUID | None = None,
    except_session: uuid.UUID | None = None,
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Mark live sessions revoked; returns (session id, user id) of those that were live."""
    query = update(UserSession).where(UserSession.revoked_at.is_(None))
    if session_ids is not None:
        query = query.where(UserSession.id.in_(session_ids))
    if user_id is not None:
        query = query.where(UserSession.user_id == user_id)
    if except_session is not None:
        query = query.where(UserSession.id != except_session)
    result = await session.execute(
        query.values(revoked_at=now, revoked_reason=reason).returning(
            UserSession.id, UserSession.user_id
        )
    )
    return [(row[0], row[1]) for row in result.all()]


async def record_revocations(
    session: AsyncSession,
    rows: Sequence[dict[str, Any]],
) -> None:
    if rows:
        await session.execute(insert(RevokedToken), list(rows))


async def is_revoked(
    session: AsyncSession, session_id: uuid.UUID, jti: str | None, now: datetime
) -> bool:
    """Whether this session (or this one access token) is revoked: the database answer."""
    live = select(UserSession.revoked_at).where(UserSession.id == session_id)
    revoked_at = (await session.execute(live)).first()
    if revoked_at is None or revoked_at[0] is not None:
        # An unknown session id is as good as revoked: it was never issued here.
        return True
    if jti is None:
        return False
    query = select(func.count()).where(RevokedToken.jti == jti, RevokedToken.expires_at > now)
    return bool(await session.scalar(query))


async def live_revocations(session: AsyncSession, now: datetime) -> Sequence[RevokedToken]:
    """Revocations that still matter (some token they cover may be alive): the Redis mirror."""
    query = select(RevokedToken).where(RevokedToken.expires_at > now)
    return (await session.scalars(query)).all()


# --- devices and security events ----------------------------------------------------------


async def upsert_device(session: AsyncSession, values: dict[str, Any]) -> tuple[uuid.UUID, bool]:
    """Insert or touch the user's device; returns (device id, whether it is new)."""
    statement = insert(Device).values(**values)
    upsert = statement.on_conflict_do_update(
        index_elements=[Device.user_id, Device.fingerprint],
        set_={
            "last_seen_at": statement.excluded.last_seen_at,
            "last_ip": statement.excluded.last_ip,
            "user_agent": statement.excluded.user_agent,
        },
    ).returning(Device.id, text("xmax = 0"))  # xmax = 0: the row was inserted, not updated
    row = (await session.execute(upsert)).one()
    return row[0], bool(row[1])


async def add_event(session: AsyncSession, **values: Any) -> None:
    await session.execute(insert(SecurityEvent).values(**values))


async def mark_login(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(last_login_at=now, failed_login_count=0, locked_until=None)
    )


async def record_failed_login(
    session: AsyncSession,
    *,
    user_id: uuid.UUID | None,
    ip: str | None,
    user_agent: str | None,
    lock_until: datetime | None,
) -> None:
    """Count the failure on the user row (if any) and log it; lock the account when told to."""
    if user_id is not None:
        values: dict[str, Any] = {"failed_login_count": User.failed_login_count + 1}
        if lock_until is not None:
            values["locked_until"] = lock_until
        await session.execute(update(User).where(User.id == user_id).values(**values))
    await add_event(session, user_id=user_id, kind="login_failed", ip=ip, user_agent=user_agent)
    if lock_until is not None and user_id is not None:
        await add_event(
            session, user_id=user_id, kind="account_locked", ip=ip, user_agent=user_agent,
            detail={"until": lock_until.isoformat()},
        )  # fmt: skip


async def touch_device(
    session: AsyncSession, device_id: uuid.UUID | None, now: datetime, ip: str | None
) -> None:
    if device_id is not None:
        await session.execute(
            update(Device).where(Device.id == device_id).values(last_seen_at=now, last_ip=ip)
        )


async def set_password(
    session: AsyncSession, user_id: uuid.UUID, password_hash: str, now: datetime
) -> None:
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(password_hash=password_hash, password_changed_at=now, failed_login_count=0,
                locked_until=None)
    )  # fmt: skip


async def sessions_of_users(
    session: AsyncSession, user_ids: Sequence[uuid.UUID]
) -> Sequence[UserSession]:
    """Live sessions of these users, most recently used first."""
    query = (
        select(UserSession)
        .where(
            UserSession.user_id.in_(user_ids),
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > func.now(),
        )
        .order_by(UserSession.last_seen_at.desc())
    )
    return (await session.scalars(query)).all()


async def devices_of_users(
    session: AsyncSession, user_ids: Sequence[uuid.UUID]
) -> Sequence[Device]:
    query = select(Device).where(Device.user_id.in_(user_ids)).order_by(Device.last_seen_at.desc())
    return (await session.scalars(query)).all()


async def devices_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Device]:
    return (await session.scalars(select(Device).where(Device.id.in_(ids)))).all()


async def live_session_ids_of_device(
    session: AsyncSession, device_id: uuid.UUID
) -> Sequence[uuid.UUID]:
    query = select(UserSession.id).where(
        UserSession.device_id == device_id, UserSession.revoked_at.is_(None)
    )
    return (await session.scalars(query)).all()


async def events_of_user(
    session: AsyncSession, user_id: uuid.UUID, *, limit: int
) -> Sequence[SecurityEvent]:
    query = (
        select(SecurityEvent)
        .where(SecurityEvent.user_id == user_id)
        .order_by(SecurityEvent.created_at.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def unlock_user(session: AsyncSession, user_id: uuid.UUID) -> bool:
    result = await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(locked_until=None, failed_login_count=0)
        .returning(User.id)
    )
    return result.scalar_one_or_none() is not None


async def prune(session: AsyncSession, now: datetime, keep_sessions_until: datetime) -> int:
    """Drop rows nothing can use any more: expired revocations and refresh tokens, and sessions
    that ended (revoked or expired) before `keep_sessions_until`. Security events stay."""
    removed = 0
    for statement in (
        delete(RevokedToken).where(RevokedToken.expires_at < now),
        delete(UserToken).where(UserToken.expires_at < now),
        delete(UserSession).where(
            (UserSession.expires_at < keep_sessions_until)
            | (UserSession.revoked_at < keep_sessions_until)
        ),
    ):
        result = await session.execute(statement.returning(literal_column("1")))
        removed += len(result.all())
    return removed
