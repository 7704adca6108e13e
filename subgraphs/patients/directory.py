"""Ask the doctors subgraph (the owner) about a doctor: exists, active, which institution."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from subgraphs.kit.service_client import ServiceClient

__all__ = ["DoctorDirectory", "DoctorInfo", "FederatedDoctors"]

_QUERY = "query($id: ID!) { doctor(id: $id) { id isActive institution { id } } }"


@dataclass(frozen=True, slots=True)
class DoctorInfo:
    id: uuid.UUID
    is_active: bool
    institution_id: uuid.UUID | None


class DoctorDirectory(Protocol):
    async def lookup(self, doctor_id: uuid.UUID) -> DoctorInfo | None:
        """The doctor, or None when there is no such doctor."""
        ...


class FederatedDoctors:
    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    async def lookup(self, doctor_id: uuid.UUID) -> DoctorInfo | None:
        data = await self.client.execute("doctors", _QUERY, {"id": str(doctor_id)})
        found = data.get("doctor")
        if found is None:
            return None
        institution = found.get("institution")
        return DoctorInfo(
            id=doctor_id,
            is_active=bool(found["isActive"]),
            institution_id=None if not institution else uuid.UUID(str(institution["id"])),
        )
