"""Ask the doctors and patients subgraphs what is still attached to an institution."""

from __future__ import annotations

import uuid
from typing import Protocol

from subgraphs.kit.errors import DomainError, ServiceUnavailable
from subgraphs.kit.service_client import ServiceClient

__all__ = ["Attachments", "FederatedAttachments"]

_QUERIES = {
    "doctors": "doctorCount(activeOnly: true)",
    "patients": "patientCount",
}


class Attachments(Protocol):
    async def active(self, institution_id: uuid.UUID) -> dict[str, int]:
        """Counts by kind ("doctors", "patients"); raises when a count cannot be obtained."""
        ...


class FederatedAttachments:
    """Through the owners' `Institution` entity fields, with the service credential."""

    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    async def active(self, institution_id: uuid.UUID) -> dict[str, int]:
        counts: dict[str, int] = {}
        representation = [{"__typename": "Institution", "id": str(institution_id)}]
        for service, field in _QUERIES.items():
            query = (
                "query($r: [_Any!]!) { _entities(representations: $r) "
                f"{{ ... on Institution {{ n: {field} }} }} }}"
            )
            try:
                data = await self.client.execute(service, query, {"r": representation})
            except DomainError as exc:
                # Unknown is not zero: refuse rather than orphan doctors or patients.
                raise ServiceUnavailable(
                    f"Could not count the institution's {service} ({exc.message}); try again"
                ) from exc
            entity = (data.get("_entities") or [None])[0] or {}
            counts[service] = int(entity.get("n") or 0)
        return counts
