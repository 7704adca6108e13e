"""GraphQL types and thin resolvers of the auth subgraph."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.auth import models, service, sessions
from subgraphs.auth.runtime import runtime_of
from subgraphs.kit.access import context_of
from subgraphs.kit.errors import Invalid
from subgraphs.kit.principal import Role
from subgraphs.kit.schema import build_schema

__all__ = ["schema"]

UserRole = strawberry.enum(Role, name="UserRole", description="What a login may do.")


def parse_id(value: strawberry.ID | str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Invalid(field, "is not a valid id") from exc


@strawberry.federation.type(keys=["id"], description="A login.")
class User:
    id: strawberry.ID
    email: str
    role: UserRole  # type: ignore[valid-type]
    profile_id: strawberry.ID | None
    is_active: bool
    last_login_at: datetime | None

    @classmethod
    def from_model(cls, row: models.User) -> User:
        return cls(
            id=strawberry.ID(str(row.id)),
            email=row.email,
            role=Role(row.role),
            profile_id=strawberry.ID(str(row.profile_id)) if row.profile_id else None,
            is_active=row.is_active,
            last_login_at=row.last_login_at,
        )

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> User | None:
        principal = context_of(info).principal
        try:
            key = uuid.UUID(str(id))
        except ValueError:
            return None
        # A user sees their own login; admins and services see any.
        if principal.user_id != key and not principal.has_role(Role.ADMIN, Role.SERVICE):
            return None
        row = await context_of(info).loaders.user.load(key)
        return None if row is None else cls.from_model(row)


@strawberry.type(
    description="A signed-in session: a short-lived access token and its refresh token."
)
class AuthPayload:
    access_token: str
    refresh_token: str = strawberry.field(
        description="Opaque; valid once: every refresh returns a new one."
    )
    expires_in: int = strawberry.field(description="Seconds until the access token expires.")
    token_type: str
    session_id: strawberry.ID
    user: User

    @classmethod
    def from_result(cls, result: sessions.SignedIn) -> AuthPayload:
        return cls(
            access_token=result.access_token,
            refresh_token=result.refresh_token,
            expires_in=result.expires_in,
            token_type="Bearer",  # noqa: S106 - the OAuth token type, not a secret
            session_id=strawberry.ID(str(result.session_id)),
            user=User.from_model(result.user),
        )


@strawberry.input(description="A new login, created by another PredictHealth service.")
class CreateUserInput:
    email: str
    role: UserRole  # type: ignore[valid-type]
    password: str | None = strawberry.field(
        default=None, description="Null: the login cannot sign in until a password is set."
    )
    profile_id: strawberry.ID | None = None


@strawberry.type
class Query:
    @strawberry.field(description="The caller's own login, or null when anonymous.")
    async def me(self, info: Info[Any, Any]) -> User | None:
        principal = context_of(info).principal
        if principal.user_id is None:
            return None
        return await User.resolve_reference(info, strawberry.ID(str(principal.user_id)))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Sign in with email and password.")
    async def login(self, info: Info[Any, Any], email: str, password: str) -> AuthPayload:
        ctx = context_of(info)
        result = await sessions.login(ctx, runtime_of(ctx), email, password)
        return AuthPayload.from_result(result)

    @strawberry.mutation(description="Exchange a refresh token for a new token pair (rotation).")
    async def refresh_token(self, info: Info[Any, Any], refresh_token: str) -> AuthPayload:
        ctx = context_of(info)
        return AuthPayload.from_result(await sessions.refresh(ctx, runtime_of(ctx), refresh_token))

    @strawberry.mutation(description="Service only: create a login for a new profile.")
    async def create_user(self, info: Info[Any, Any], input: CreateUserInput) -> User:
        ctx = context_of(info)
        new = service.NewUser(
            email=input.email,
            role=Role(input.role),
            password=input.password,
            profile_id=parse_id(input.profile_id, "profileId") if input.profile_id else None,
        )
        return User.from_model(await service.create_user(ctx, new))

    @strawberry.mutation(
        description="Service only: delete a login (compensation); true if it existed."
    )
    async def delete_user(self, info: Info[Any, Any], id: strawberry.ID) -> bool:
        ctx = context_of(info)
        return await service.delete_user(ctx, runtime_of(ctx), parse_id(id, "id"))


schema = build_schema(query=Query, mutation=Mutation)
