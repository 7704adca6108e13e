"""GraphQL types every paginated subgraph shares (declared @shareable so they compose)."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from subgraphs.kit.keyset import Page

__all__ = ["PageInfo", "SortDirection"]


@strawberry.enum(description="Ascending or descending order.")
class SortDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.federation.type(shareable=True, description="Relay cursor pagination state.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def of(cls, page: Page[Any]) -> PageInfo:
        return cls(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        )
