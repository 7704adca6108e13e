"""Queries and mutations of the institutions subgraph: thin resolvers over the service."""

from __future__ import annotations

from typing import Any, TypeVar

import strawberry
from strawberry.types import Info

from subgraphs.institutions import service, stats
from subgraphs.institutions.search import InstitutionSort, SortField
from subgraphs.institutions.types import (
    Institution,
    InstitutionConnection,
    InstitutionFilterInput,
    InstitutionSortField,
    InstitutionStatistics,
    InstitutionType,
    parse_id,
)
from subgraphs.kit.access import context_of, require_principal
from subgraphs.kit.audit_trail import AuditNote, audit_trail, create_audited
from subgraphs.kit.relay import SortDirection
from subgraphs.kit.schema import build_schema

__all__ = ["schema"]

T = TypeVar("T")


def _state(info: Info[Any, Any]) -> Any:
    """The app's long-lived collaborators (login gateway, attachment counter)."""
    request = context_of(info).request
    assert request is not None  # GraphQL over HTTP always has one
    return request.app.state


def _given(input: object) -> list[str]:
    """The input fields the caller set (names only: values never go into the audit trail)."""
    return sorted(name for name, value in vars(input).items()
                  if value is not None and name != "password")  # fmt: skip


@strawberry.input
class InstitutionSortInput:
    field: InstitutionSortField = InstitutionSortField.NAME
    direction: SortDirection = SortDirection.ASC

    def build(self) -> InstitutionSort:
        return InstitutionSort(
            field=SortField(self.field.value), descending=self.direction is SortDirection.DESC
        )


@strawberry.input(description="A new institution and the password of its login.")
class CreateInstitutionInput:
    name: str
    institution_type: InstitutionType
    contact_email: str
    password: str
    license_number: str
    phone: str | None = None
    address: str | None = None
    region: str | None = None
    website: str | None = None
    is_verified: bool = False


@strawberry.input(description="Fields to change; omitted fields stay as they are.")
class UpdateInstitutionInput:
    name: str | None = None
    institution_type: InstitutionType | None = None
    contact_email: str | None = None
    phone: str | None = None
    address: str | None = None
    region: str | None = None
    website: str | None = None
    license_number: str | None = None
    is_verified: bool | None = None


@strawberry.type
class Query:
    @strawberry.field(description="Search the directory (authenticated callers), keyset-paginated.")
    async def institutions(
        self,
        info: Info[Any, Any],
        filter: InstitutionFilterInput | None = None,
        sort: InstitutionSortInput | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> InstitutionConnection:
        principal = require_principal(info)
        where = (filter or InstitutionFilterInput()).build()
        order = (sort or InstitutionSortInput()).build()
        async with context_of(info).read() as session:
            page = await service.search_institutions(
                session, principal, where, order, first=first, after=after
            )
        return InstitutionConnection.of(page, where)

    @strawberry.field(description="One institution by id, or null.")
    async def institution(self, info: Info[Any, Any], id: strawberry.ID) -> Institution | None:
        return await Institution.resolve_reference(info, id)

    @strawberry.field(description="Counts by type, region, type x region, verification, month.")
    async def institution_statistics(
        self, info: Info[Any, Any], filter: InstitutionFilterInput | None = None
    ) -> InstitutionStatistics:
        principal = require_principal(info)
        where = (filter or InstitutionFilterInput()).build()
        context = context_of(info)
        async with context.read() as session:
            figures = await stats.institution_statistics(
                session, principal, where, timezone=context.settings.timezone
            )
        return InstitutionStatistics.of(figures)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create an institution and its login (admins).")
    async def create_institution(
        self, info: Info[Any, Any], input: CreateInstitutionInput
    ) -> Institution:
        data = service.NewInstitution(
            name=input.name,
            institution_type=input.institution_type.value,
            contact_email=input.contact_email,
            password=input.password,
            license_number=input.license_number,
            phone=input.phone,
            address=input.address,
            region=input.region,
            website=input.website,
            is_verified=input.is_verified,
        )
        logins = _state(info).logins

        async def create(write: service.Write, note: AuditNote) -> Any:
            principal = require_principal(info)
            return await service.create_institution(write, logins, principal, data,
                                                    on_insert=note.target)  # fmt: skip

        row = await create_audited(info, "institution.create", "institution", _given(input), create)
        return Institution.from_model(row)

    @strawberry.mutation(description="Change an institution (admins; the institution itself).")
    async def update_institution(
        self, info: Info[Any, Any], id: strawberry.ID, input: UpdateInstitutionInput
    ) -> Institution:
        changes = service.InstitutionChanges(
            name=input.name,
            institution_type=None
            if input.institution_type is None
            else input.institution_type.value,
            contact_email=input.contact_email,
            phone=input.phone,
            address=input.address,
            region=input.region,
            website=input.website,
            license_number=input.license_number,
            is_verified=input.is_verified,
        )
        async with audit_trail(info).write(
            context_of(info), "institution.update", target_type="institution", target_ids=[id],
            fields=_given(input),
        ) as (session, _):  # fmt: skip
            principal = require_principal(info)  # refused callers are audited too
            row = await service.update_institution(session, principal, parse_id(id), changes)
        return Institution.from_model(row)

    @strawberry.mutation(description="Deactivate (admins); refused while active doctors or "
                         "patients are attached, unless force is true.")  # fmt: skip
    async def deactivate_institution(
        self, info: Info[Any, Any], id: strawberry.ID, force: bool = False
    ) -> Institution:
        return await _set_active(info, id, active=False, force=force)

    @strawberry.mutation(description="Reactivate an institution (admins).")
    async def activate_institution(self, info: Info[Any, Any], id: strawberry.ID) -> Institution:
        return await _set_active(info, id, active=True, force=False)

    @strawberry.mutation(description="Delete an institution and its login (admins); refused "
                         "while active doctors or patients are attached, unless force is true.")  # fmt: skip
    async def delete_institution(
        self, info: Info[Any, Any], id: strawberry.ID, force: bool = False
    ) -> strawberry.ID:
        state = _state(info)
        async with audit_trail(info).write(
            context_of(info), "institution.delete", target_type="institution", target_ids=[id]
        ) as (session, note):
            principal = require_principal(info)  # refused callers are audited too
            note.details["force"] = force
            deleted = await service.delete_institution(
                session, principal, parse_id(id), force=force,
                attachments=state.attachments, logins=state.logins,
            )  # fmt: skip
        return strawberry.ID(str(deleted))


async def _set_active(
    info: Info[Any, Any], id: strawberry.ID, *, active: bool, force: bool
) -> Institution:
    action = "institution.activate" if active else "institution.deactivate"
    async with audit_trail(info).write(
        context_of(info), action, target_type="institution", target_ids=[id], fields=["is_active"]
    ) as (session, note):
        principal = require_principal(info)  # refused callers are audited too
        note.details["force"] = force
        row = await service.set_active(
            session, principal, parse_id(id), active=active, force=force,
            attachments=_state(info).attachments,
        )  # fmt: skip
    return Institution.from_model(row)


schema = build_schema(query=Query, mutation=Mutation)
