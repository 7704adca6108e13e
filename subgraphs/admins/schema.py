"""Queries and mutations of the admins subgraph: thin resolvers over the services."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.admins import audit_store, service
from subgraphs.admins import statistics as stats
from subgraphs.admins.types import (
    Admin,
    AdminConnection,
    AppendResult,
    AuditEvent,
    AuditEventConnection,
    AuditEventFilter,
    AuditEventInput,
    Institution,
    SystemStatistics,
    parse_id,
)
from subgraphs.kit.access import context_of, require_principal
from subgraphs.kit.audit_trail import AuditNote, audit_trail, not_audited
from subgraphs.kit.errors import Invalid
from subgraphs.kit.principal import Role
from subgraphs.kit.schema import build_schema

__all__ = ["schema"]

_CREATE_INSTITUTION = """
mutation CreateInstitution($input: CreateInstitutionInput!) { createInstitution(input: $input) { id } }
"""


def _state(info: Info[Any, Any]) -> Any:
    request = context_of(info).request
    assert request is not None  # GraphQL over HTTP always has one
    return request.app.state


@strawberry.input(description="A new administrator and the password of their login.")
class CreateAdminInput:
    first_name: str
    last_name: str
    email: str
    password: str
    department: str | None = None


@strawberry.input(description="Fields to change; omitted fields stay as they are.")
class UpdateAdminInput:
    first_name: str | None = None
    last_name: str | None = None
    department: str | None = None


@strawberry.input(description="An institution to create through the institutions subgraph.")
class RegisterInstitutionInput:
    name: str
    institution_type: str = strawberry.field(description="e.g. HOSPITAL, PHARMACY")
    contact_email: str
    password: str
    license_number: str
    phone: str | None = None
    address: str | None = None
    region: str | None = None
    website: str | None = None
    is_verified: bool = False


@strawberry.type
class Query:
    @strawberry.field(description="Administrators in name order (admins only), keyset-paginated.")
    async def admins(
        self, info: Info[Any, Any], first: int = 20, after: str | None = None
    ) -> AdminConnection:
        principal = require_principal(info)
        async with context_of(info).read() as session:
            page = await service.list_admins(session, principal, first=first, after=after)
        return AdminConnection.of(page)

    @strawberry.field(description="One administrator (admins only), or null.")
    async def admin(self, info: Info[Any, Any], id: strawberry.ID) -> Admin | None:
        return await Admin.resolve_reference(info, id)

    @strawberry.field(description="The audit log, newest first (admins only).")
    async def audit_events(
        self,
        info: Info[Any, Any],
        filter: AuditEventFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> AuditEventConnection:
        principal = require_principal(info)
        where = (filter or AuditEventFilter()).build()
        async with context_of(info).read() as session:
            page = await audit_store.search_events(
                session, principal, where, first=first, after=after
            )
        return AuditEventConnection.of(page)

    @strawberry.field(description="One audit event (admins only).")
    async def audit_event(self, info: Info[Any, Any], id: strawberry.ID) -> AuditEvent | None:
        return await AuditEvent.resolve_reference(info, id)

    @strawberry.field(description="System figures from every subgraph (admins; analysts get "
                      "aggregates with groups under 5 suppressed).")  # fmt: skip
    async def system_statistics(self, info: Info[Any, Any]) -> SystemStatistics:
        principal = require_principal(info)
        async with context_of(info).read() as session:
            figures = await stats.system_statistics(session, _state(info).service_client, principal)
        return SystemStatistics.of(figures)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create an administrator and their login (admins only).")
    async def create_admin(self, info: Info[Any, Any], input: CreateAdminInput) -> Admin:
        principal = require_principal(info)
        ctx = context_of(info)
        data = service.NewAdmin(first_name=input.first_name, last_name=input.last_name,
                                email=input.email, password=input.password,
                                department=input.department)  # fmt: skip
        trail = audit_trail(info)
        note = AuditNote(fields=["first_name", "last_name", "email", "department"])
        row = await service.create_admin(
            lambda: trail.session(ctx, "admin.create", target_type="admin", note=note),
            _state(info).logins, principal, data, on_insert=note.target,
        )  # fmt: skip
        return Admin.from_model(row)

    @strawberry.mutation(description="Change an administrator (admins only).")
    async def update_admin(
        self, info: Info[Any, Any], id: strawberry.ID, input: UpdateAdminInput
    ) -> Admin:
        principal = require_principal(info)
        changes = service.AdminChanges(first_name=input.first_name, last_name=input.last_name,
                                       department=input.department)  # fmt: skip
        fields = [k for k, v in vars(changes).items() if v is not None]
        async with audit_trail(info).write(
            context_of(info), "admin.update", target_type="admin", target_ids=[id], fields=fields
        ) as (session, _):
            row = await service.update_admin(session, principal, parse_id(id), changes)
        return Admin.from_model(row)

    @strawberry.mutation(description="Deactivate an administrator (never the last active one).")
    async def deactivate_admin(self, info: Info[Any, Any], id: strawberry.ID) -> Admin:
        return await _set_active(info, id, active=False)

    @strawberry.mutation(description="Reactivate an administrator (admins only).")
    async def activate_admin(self, info: Info[Any, Any], id: strawberry.ID) -> Admin:
        return await _set_active(info, id, active=True)

    @strawberry.mutation(description="Create an institution and its login via the institutions "
                         "subgraph (admins only).")  # fmt: skip
    async def register_institution(
        self, info: Info[Any, Any], input: RegisterInstitutionInput
    ) -> Institution:
        principal = require_principal(info)
        service.require_admin(principal)
        values = {k: v for k, v in vars(input).items() if v is not None}
        values["institution_type"] = input.institution_type.upper()
        variables = {"input": {_camel(k): v for k, v in values.items()}}
        data = await _state(info).service_client.execute(
            "institutions", _CREATE_INSTITUTION, variables
        )
        created = data.get("createInstitution")
        if not created:
            raise Invalid("input", "the institutions service did not create the institution")
        return Institution(id=strawberry.ID(str(created["id"])))

    @strawberry.mutation(description="Service only: append delivered audit events (idempotent "
                         "by event id). Events are never updated or deleted.")  # fmt: skip
    async def append_audit_events(
        self, info: Info[Any, Any], events: list[AuditEventInput]
    ) -> AppendResult:
        principal = require_principal(info)
        if principal.has_role(Role.SERVICE):
            # A delivery of audit events is not itself an auditable change (that would loop).
            not_audited()
        built = [e.build() for e in events]
        async with context_of(info).write() as session:
            done = await audit_store.append_events(session, principal, built)
        return AppendResult(appended=done.appended, duplicates=done.duplicates)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def _set_active(info: Info[Any, Any], id: strawberry.ID, *, active: bool) -> Admin:
    principal = require_principal(info)
    action = "admin.activate" if active else "admin.deactivate"
    async with audit_trail(info).write(
        context_of(info), action, target_type="admin", target_ids=[id], fields=["is_active"]
    ) as (session, _):
        row = await service.set_active(session, principal, parse_id(id), active=active)
    return Admin.from_model(row)


schema = build_schema(query=Query, mutation=Mutation, types=[Institution])
