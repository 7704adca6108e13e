"""A small hand-made directory, inserted straight into the database under a unique tag.

Search, pagination and statistics tests scope every query to these rows (by region or
institution), so their expectations are computed by hand from the tables below.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["DOCTORS", "INSTITUTIONS", "Dataset", "load"]

# key, name, type, region (1 or 2), verified, active, created (UTC, noon)
INSTITUTIONS: tuple[tuple[str, str, str, int, bool, bool, str], ...] = (
    ("sao1", "Clínica São Judas", "preventive_clinic", 1, True, True, "2025-01-15"),
    ("sao2", "CLINICA SAO PEDRO", "preventive_clinic", 2, False, True, "2025-01-20"),
    ("nandu", "Hospital Ñandú", "hospital", 1, True, True, "2025-02-03"),
    ("penasco", "Centro de Salud Peñasco", "health_center", 1, False, False, "2025-03-10"),
    ("angeles", "Farmacia Ángeles", "pharmacy", 2, True, True, "2025-03-11"),
    ("pct", "Clínica del Sol 100%", "preventive_clinic", 2, True, True, "2025-03-12"),
    ("under", "Instituto X_Y", "research", 1, False, True, "2025-03-30"),
)

# key, first, last, institution, specialty, secondary, status, licence status, active, years
DOCTORS: tuple[tuple[str, str, str, str, str | None, str | None, str, str, bool, int], ...] = (
    ("jose", "José", "Núñez", "nandu", "Cardiology", "Pediatrics", "active", "verified", True, 10),
    ("JOSE", "JOSE", "NUNEZ", "sao1", "Cardiology", None, "suspended", "pending", True, 3),
    ("maria", "María", "Peña", "nandu", "Pediatrics", None, "active", "rejected", True, 20),
    ("luis", "Luis", "Gómez", "nandu", "Neurology", "Cardiology", "retired", "verified", False, 35),
    ("ana", "Ana", "Ruiz", "sao1", None, None, "active", "verified", True, 1),
)  # fmt: skip


@dataclass(frozen=True)
class Dataset:
    tag: str
    regions: tuple[str, str]
    institutions: dict[str, str]  # key → id
    doctors: dict[str, str]

    def region(self, n: int) -> str:
        return self.regions[n - 1]


def _licence(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().int % 10**10:010d}"


async def load(engine: AsyncEngine, specialties: dict[str, str]) -> Dataset:
    tag = uuid.uuid4().hex[:8]
    regions = (f"Región Uno {tag}", f"Región Dos {tag}")
    institutions = {key: str(uuid.uuid4()) for key, *_ in INSTITUTIONS}
    doctors = {key: str(uuid.uuid4()) for key, *_ in DOCTORS}
    async with engine.begin() as conn:
        for key, name, kind, region, verified, active, created in INSTITUTIONS:
            when = datetime.fromisoformat(created).replace(hour=12, tzinfo=UTC)
            params: dict[str, Any] = {
                "id": institutions[key], "name": name, "kind": kind, "region": regions[region - 1],
                "email": f"{key}-{tag}@dataset.example.org", "licence": _licence("DSI"),
                "verified": verified, "active": active, "created": when,
            }  # fmt: skip
            await conn.execute(
                text(
                    "INSERT INTO institutions.institutions (id, name, institution_type, "
                    "contact_email, region, license_number, is_verified, is_active, created_at, "
                    "updated_at) VALUES (:id, :name, :kind, :email, :region, :licence, :verified, "
                    ":active, :created, :created)"
                ),
                params,
            )
        for key, first, last, inst, spec, second, status, licence, active, years in DOCTORS:
            params = {
                "id": doctors[key], "inst": institutions[inst], "first": first, "last": last,
                "email": f"{key.lower()}-{key.isupper()}-{tag}@dataset.example.org",
                "licence": _licence("DSD"), "lstatus": licence, "status": status,
                "spec": specialties.get(spec or ""), "second": specialties.get(second or ""),
                "active": active, "years": years,
            }  # fmt: skip
            await conn.execute(
                text(
                    "INSERT INTO doctors.doctors (id, institution_id, first_name, last_name, email, "
                    "medical_license, license_status, professional_status, specialty_id, "
                    "secondary_specialty_id, is_active, years_experience) VALUES (:id, :inst, "
                    ":first, :last, :email, :licence, :lstatus, :status, :spec, :second, :active, "
                    ":years)"
                ),
                params,
            )
    return Dataset(tag=tag, regions=regions, institutions=institutions, doctors=doctors)
