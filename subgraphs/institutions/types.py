"""Strawberry types of the institutions subgraph: thin views over models and service results."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.institutions import models, service
from subgraphs.institutions.search import InstitutionFilter, SortField
from subgraphs.institutions.stats import InstitutionStatistics as Stats
from subgraphs.kit.access import context_of, require_principal
from subgraphs.kit.ids import parse_id, try_parse_id
from subgraphs.kit.keyset import Page
from subgraphs.kit.relay import PageInfo

__all__ = [
    "Institution",
    "InstitutionConnection",
    "InstitutionFilterInput",
    "InstitutionSortField",
    "InstitutionStatistics",
    "InstitutionType",
    "parse_id",
]


@strawberry.enum(description="Kinds of institution, as in the original system.")
class InstitutionType(Enum):
    HOSPITAL = "hospital"
    PREVENTIVE_CLINIC = "preventive_clinic"
    HEALTH_CENTER = "health_center"
    PUBLIC_HEALTH = "public_health"
    INSURER = "insurer"
    PHARMACY = "pharmacy"
    RESEARCH = "research"
    EDUCATION = "education"


@strawberry.enum(description="What institutions can be ordered by.")
class InstitutionSortField(Enum):
    NAME = SortField.NAME.value
    CREATED_AT = SortField.CREATED_AT.value


@strawberry.federation.type(keys=["id"], description="A hospital, clinic or other organisation.")
class Institution:
    id: strawberry.ID
    name: str
    institution_type: InstitutionType
    region: str | None
    is_active: bool
    is_verified: bool
    created_at: datetime
    updated_at: datetime
    row: strawberry.Private[models.Institution]

    def _private(self, info: Info[Any, Any], field: str) -> models.Institution:
        service.require_private(require_principal(info), self.row, field)
        return self.row

    @strawberry.field(description="Contact email (the institution itself and admins only).")
    def contact_email(self, info: Info[Any, Any]) -> str | None:
        return self._private(info, "contactEmail").contact_email

    @strawberry.field(description="Phone (the institution itself and admins only).")
    def phone(self, info: Info[Any, Any]) -> str | None:
        return self._private(info, "phone").phone

    @strawberry.field(description="Street address (the institution itself and admins only).")
    def address(self, info: Info[Any, Any]) -> str | None:
        return self._private(info, "address").address

    @strawberry.field(description="Website (the institution itself and admins only).")
    def website(self, info: Info[Any, Any]) -> str | None:
        return self._private(info, "website").website

    @strawberry.field(description="Licence number (the institution itself and admins only).")
    def license_number(self, info: Info[Any, Any]) -> str | None:
        return self._private(info, "licenseNumber").license_number

    @classmethod
    def from_model(cls, row: models.Institution) -> Institution:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            institution_type=InstitutionType(row.institution_type),
            region=row.region,
            is_active=row.is_active,
            is_verified=row.is_verified,
            created_at=row.created_at,
            updated_at=row.updated_at,
            row=row,
        )

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> Institution | None:
        require_principal(info)
        key = try_parse_id(id)
        if key is None:
            return None
        row = await context_of(info).loaders.institution.load(key)
        return None if row is None else cls.from_model(row)


@strawberry.type
class InstitutionEdge:
    cursor: str
    node: Institution


@strawberry.type(description="A page of institutions (Relay connection).")
class InstitutionConnection:
    edges: list[InstitutionEdge]
    page_info: PageInfo
    where: strawberry.Private[InstitutionFilter]

    @strawberry.field(description="How many institutions match the filter (all pages).")
    async def total_count(self, info: Info[Any, Any]) -> int:
        principal = require_principal(info)
        async with context_of(info).read() as session:
            return await service.count_institutions(session, principal, self.where)

    @classmethod
    def of(cls, page: Page[models.Institution], where: InstitutionFilter) -> InstitutionConnection:
        edges = [
            InstitutionEdge(cursor=c, node=Institution.from_model(r))
            for r, c in zip(page.rows, page.cursors, strict=True)
        ]
        return cls(edges=edges, page_info=PageInfo.of(page), where=where)


@strawberry.input(description="Narrow the directory; every given field must match.")
class InstitutionFilterInput:
    types: list[InstitutionType] | None = None
    regions: list[str] | None = None
    is_active: bool | None = None
    is_verified: bool | None = None
    name: str | None = strawberry.field(
        default=None, description="Part of the name; case and accents are ignored."
    )
    ids: list[strawberry.ID] | None = None

    def build(self) -> InstitutionFilter:
        return InstitutionFilter(
            types=None if self.types is None else tuple(t.value for t in self.types),
            regions=None if self.regions is None else tuple(self.regions),
            is_active=self.is_active,
            is_verified=self.is_verified,
            name=(self.name or "").strip() or None,
            ids=None if self.ids is None else tuple(parse_id(i, "ids") for i in self.ids),
        )


@strawberry.type(name="InstitutionTypeCount")
class TypeCount:
    institution_type: InstitutionType
    count: int


@strawberry.type(name="InstitutionRegionCount")
class RegionCount:
    region: str | None
    count: int


@strawberry.type(name="InstitutionTypeRegionCount")
class TypeRegionCount:
    institution_type: InstitutionType
    region: str | None
    count: int


@strawberry.type(name="InstitutionMonthCount")
class MonthCount:
    month: date = strawberry.field(description="First day of the month (settings timezone).")
    count: int


@strawberry.type(description="Aggregates over the institutions matching a filter.")
class InstitutionStatistics:
    total: int
    verified: int
    unverified: int
    active: int
    by_type: list[TypeCount]
    by_region: list[RegionCount]
    by_type_and_region: list[TypeRegionCount]
    new_per_month: list[MonthCount]

    @classmethod
    def of(cls, stats: Stats) -> InstitutionStatistics:
        return cls(
            total=stats.total,
            verified=stats.verified,
            unverified=stats.unverified,
            active=stats.active,
            by_type=[
                TypeCount(institution_type=InstitutionType(t), count=n) for t, n in stats.by_type
            ],
            by_region=[RegionCount(region=r, count=n) for r, n in stats.by_region],
            by_type_and_region=[
                TypeRegionCount(institution_type=InstitutionType(t), region=r, count=n)
                for t, r, n in stats.by_type_and_region
            ],
            new_per_month=[MonthCount(month=m, count=n) for m, n in stats.new_per_month],
        )
