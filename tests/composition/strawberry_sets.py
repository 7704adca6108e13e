"""Subgraphs written with Strawberry's federation API, so the corpus covers the SDL it emits.

No `from __future__ import annotations` here: Strawberry resolves the local classes' annotations.
"""

import enum

import strawberry

from tests.composition.corpus import Case

__all__ = ["strawberry_case"]


def _accounts() -> str:
    @strawberry.federation.enum
    class Role(enum.Enum):
        ADMIN = "admin"
        DOCTOR = "doctor"
        PATIENT = strawberry.enum_value("patient", description="A patient.")

    @strawberry.federation.interface(keys=["id"])
    class Account:
        id: strawberry.ID
        email: str

    @strawberry.federation.type(keys=["id"], description="A login.")
    class User(Account):
        email: str = strawberry.federation.field(requires_scopes=[["read:email"]])
        role: Role = strawberry.federation.field(tags=["public"])
        name: str = strawberry.federation.field(shareable=True)
        secret: str = strawberry.federation.field(inaccessible=True)

    @strawberry.federation.interface(keys=["id"])
    class Profile:
        id: strawberry.ID
        bio: str | None

    @strawberry.federation.type(keys=["id"])
    class PatientProfile(Profile):
        blood_type: str | None = strawberry.federation.field(inaccessible=True)

    @strawberry.federation.input
    class UserFilter:
        role: Role | None = None
        text: str | None = strawberry.UNSET

    @strawberry.type
    class Query:
        @strawberry.field(description="The caller.")
        def me(self) -> User | None:
            return None

        @strawberry.federation.field(authenticated=True)
        def users(self, filter: UserFilter | None = None, first: int = 20) -> list[User]:
            return []

        @strawberry.field(deprecation_reason="use users")
        def accounts(self) -> list[Account]:
            return []

        @strawberry.field
        def profiles(self) -> list[Profile]:
            return []

    @strawberry.type
    class Mutation:
        @strawberry.federation.field(policy=[["admin"]])
        def rename(self, id: strawberry.ID, name: str) -> User | None:
            return None

    schema = strawberry.federation.Schema(
        query=Query, mutation=Mutation, types=[User, PatientProfile]
    )
    return schema.as_str()


def _records() -> str:
    @strawberry.federation.type(keys=["id"])
    class User:
        id: strawberry.ID
        name: str = strawberry.federation.field(external=True)
        greeting: str = strawberry.federation.field(requires=["name"])
        visits: int = strawberry.federation.field(override="accounts")

    @strawberry.federation.interface_object(keys=["id"])
    class Profile:
        id: strawberry.ID
        last_seen: str | None

    @strawberry.federation.type(keys=["id"])
    class Record:
        id: strawberry.ID
        owner: User = strawberry.federation.field(provides=["name"])

    @strawberry.type
    class Query:
        @strawberry.field
        def records(self) -> list[Record]:
            return []

        @strawberry.field
        def recent(self) -> list[Profile]:
            return []

    schema = strawberry.federation.Schema(query=Query, types=[User, Profile])
    return schema.as_str()


def strawberry_case() -> Case:
    """Two Strawberry subgraphs using keys, interfaces, @interfaceObject and every field option."""
    accounts = _accounts()
    records = _records()
    # `visits` is overridden from accounts, so accounts must define it too.
    accounts = accounts.replace(
        "  name: String! @shareable", "  name: String! @shareable\n  visits: Int!"
    )
    return Case("strawberry_subgraphs", (("accounts", accounts), ("records", records)))
