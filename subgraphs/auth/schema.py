"""The auth subgraph's Query and Mutation: thin resolvers over the services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.auth import service, session_control, sessions, stats
from subgraphs.auth.auditing import audited, run_audited
from subgraphs.auth.runtime import runtime_of
from subgraphs.auth.types import (
    AuthPayload,
    AuthStatistics,
    StatsInterval,
    TokenInfo,
    User,
    UserCounts,
    UserRole,
    parse_id,
)
from subgraphs.kit.access import context_of, require_role
from subgraphs.kit.principal import Role
from subgraphs.kit.schema import build_schema

__all__ = ["schema"]


@strawberry.input(description="A new login, created by another PredictHealth service.")
class CreateUserInput:
    email: str
    role: UserRole  # type: ignore[valid-type]
    password: str | None = strawberry.field(
        default=None, description="Null: the login cannot sign in until a password is set."
    )
    profile_id: strawberry.ID | None = None
    id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Caller-chosen id: a retry returns the same login, and the caller can "
        "delete it (compensation) even when this call's reply was lost.",
    )


@strawberry.type
class Query:
    @strawberry.field(description="The caller's own login, or null when anonymous.")
    async def me(self, info: Info[Any, Any]) -> User | None:
        principal = context_of(info).principal
        if principal.user_id is None:
            return None
        return await User.resolve_reference(info, strawberry.ID(str(principal.user_id)))

    @strawberry.field(description="A login by id: your own, or any for administrators.")
    async def user(self, info: Info[Any, Any], id: strawberry.ID) -> User | None:
        return await User.resolve_reference(info, id)

    @strawberry.field(description="Check an access token: signature, expiry and revocation.")
    async def verify_token(self, info: Info[Any, Any], token: str) -> TokenInfo:
        return TokenInfo.from_check(await session_control.verify_token(context_of(info), token))

    @strawberry.field(description="Sign-in statistics (administrators).")
    async def auth_statistics(
        self,
        info: Info[Any, Any],
        since: datetime | None = None,
        until: datetime | None = None,
        interval: StatsInterval = StatsInterval.DAY,
    ) -> AuthStatistics:
        result = await stats.auth_statistics(
            context_of(info), since=since, until=until, unit=interval.value
        )
        return AuthStatistics.from_stats(result)

    @strawberry.field(description="Users by role, every role listed (administrators, services). "
                      "Exact as of the last committed write (a summary kept in the writing "
                      "transaction); a cached copy can be up to 60 s old only if it raced a "
                      "write still committing.")  # fmt: skip
    async def user_counts(self, info: Info[Any, Any]) -> UserCounts:
        return UserCounts.from_counts(await stats.user_counts(context_of(info)))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Sign in with email and password.")
    async def login(self, info: Info[Any, Any], email: str, password: str) -> AuthPayload:
        ctx = context_of(info)
        result = await run_audited(
            info, "auth.login", lambda: sessions.login(ctx, runtime_of(ctx), email, password)
        )
        return AuthPayload.from_result(result)

    @strawberry.mutation(description="Exchange a refresh token for a new pair (rotation).")
    async def refresh_token(self, info: Info[Any, Any], refresh_token: str) -> AuthPayload:
        ctx = context_of(info)
        result = await run_audited(
            info, "auth.refresh", lambda: sessions.refresh(ctx, runtime_of(ctx), refresh_token)
        )
        return AuthPayload.from_result(result)

    @strawberry.mutation(description="End the current session.")
    async def logout(self, info: Info[Any, Any]) -> bool:
        ctx = context_of(info)
        return await run_audited(
            info, "auth.logout", lambda: session_control.logout(ctx, runtime_of(ctx))
        )

    @strawberry.mutation(description="End one session: yours, or anyone's for administrators.")
    async def revoke_session(self, info: Info[Any, Any], id: strawberry.ID) -> bool:
        ctx = context_of(info)
        return await run_audited(
            info, "auth.revoke_session",
            lambda: session_control.revoke_session(ctx, runtime_of(ctx), parse_id(id, "id")),
        )  # fmt: skip

    @strawberry.mutation(
        description="End every session of a user (default: yours); returns how many ended."
    )
    async def revoke_all_sessions(
        self, info: Info[Any, Any], user_id: strawberry.ID | None = None
    ) -> int:
        ctx = context_of(info)
        target = parse_id(user_id, "userId") if user_id is not None else None
        return await run_audited(
            info, "auth.revoke_all_sessions",
            lambda: session_control.revoke_all_sessions(ctx, runtime_of(ctx), target),
        )  # fmt: skip

    @strawberry.mutation(description="Sign a device out (all its sessions); returns how many.")
    async def revoke_device(self, info: Info[Any, Any], id: strawberry.ID) -> int:
        ctx = context_of(info)
        return await run_audited(
            info, "auth.revoke_device",
            lambda: session_control.revoke_device(ctx, runtime_of(ctx), parse_id(id, "id")),
        )  # fmt: skip

    @strawberry.mutation(description="Change your password; your other sessions are ended.")
    async def change_password(
        self, info: Info[Any, Any], current_password: str, new_password: str
    ) -> bool:
        ctx = context_of(info)
        await run_audited(
            info, "auth.change_password",
            lambda: service.change_password(ctx, runtime_of(ctx), current_password, new_password),
        )  # fmt: skip
        return True

    @strawberry.mutation(description="Administrators and services: open a session for a user.")
    async def create_tokens(self, info: Info[Any, Any], user_id: strawberry.ID) -> AuthPayload:
        ctx = context_of(info)
        result = await run_audited(
            info, "auth.create_tokens",
            lambda: session_control.create_tokens(ctx, runtime_of(ctx), parse_id(user_id, "userId")),
        )  # fmt: skip
        return AuthPayload.from_result(result)

    @strawberry.mutation(description="Administrators: lift a lockout after failed sign-ins.")
    async def unlock_user(self, info: Info[Any, Any], id: strawberry.ID) -> bool:
        ctx = context_of(info)
        return await run_audited(
            info, "auth.unlock_user",
            lambda: session_control.unlock_user(ctx, runtime_of(ctx), parse_id(id, "id")),
        )  # fmt: skip

    @strawberry.mutation(
        description="Administrators and services: start signing with a new key; returns its kid."
    )
    async def rotate_signing_key(self, info: Info[Any, Any]) -> str:
        ctx = context_of(info)

        async def rotate() -> str:
            require_role(info, Role.ADMIN, Role.SERVICE)
            audit = audited(ctx)
            try:
                kid = await runtime_of(ctx).keys.rotate(within=audit.add)
            except BaseException:
                audit.written = False  # rolled back with the rotation: record the failure
                raise
            if audit.trail is not None:
                audit.trail.wake()
            return kid

        return await run_audited(info, "auth.rotate_signing_key", rotate)

    @strawberry.mutation(description="Service only: create a login for a new profile.")
    async def create_user(self, info: Info[Any, Any], input: CreateUserInput) -> User:
        new = service.NewUser(
            email=input.email,
            role=Role(input.role),
            password=input.password,
            profile_id=parse_id(input.profile_id, "profileId") if input.profile_id else None,
            user_id=parse_id(input.id, "id") if input.id else None,
        )
        row = await run_audited(
            info, "auth.create_user", lambda: service.create_user(context_of(info), new)
        )
        return User.from_model(row)

    @strawberry.mutation(description="Service only: delete a login (compensation); true if found.")
    async def delete_user(self, info: Info[Any, Any], id: strawberry.ID) -> bool:
        ctx = context_of(info)
        return await run_audited(
            info, "auth.delete_user",
            lambda: service.delete_user(ctx, runtime_of(ctx), parse_id(id, "id")),
        )  # fmt: skip


schema = build_schema(query=Query, mutation=Mutation)
