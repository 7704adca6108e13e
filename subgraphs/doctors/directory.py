"""Ask the institutions subgraph (the owner) whether an institution exists and is active."""

from __future__ import annotations

import uuid
from typing import Protocol

from subgraphs.kit.service_client import ServiceClient

__all__ = ["FederatedInstitutions", "InstitutionDirectory"]

_QUERY = "query($id: ID!) { institution(id: $id) { id isActive } }"


class InstitutionDirectory(Protocol):
    async def is_active(self, institution_id: uuid.UUID) -> bool | None:
        """True/False for an existing institution, None when there is no such institution."""
        ...


class FederatedInstitutions:
    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    async def is_active(self, institution_id: uuid.UUID) -> bool | None:
        data = await self.client.execute("institutions", _QUERY, {"id": str(institution_id)})
        found = data.get("institution")
        return None if found is None else bool(found["isActive"])
