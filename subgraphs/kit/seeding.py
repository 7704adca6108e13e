"""Deterministic demo data: institutions, doctors, patients, admins and their logins.

A development and benchmark tool that owns the whole database: unlike the services, it writes
every subgraph's schema directly (COPY), so a million patients load in about a minute.
"""

from __future__ import annotations

import random
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "SeedPlan", "is_seeded", "seed", "wipe"]

DEMO_PASSWORD = "PredictHealth-demo-2026"  # noqa: S105 - the documented demo password
DEMO_LOGINS: dict[str, str] = {
    "admin": "admin@predicthealth.dev",
    "institution": "institution@predicthealth.dev",
    "doctor": "doctor@predicthealth.dev",
    "patient": "patient@predicthealth.dev",
    "analyst": "analyst@predicthealth.dev",
}

SPECIALTIES: tuple[tuple[str, str], ...] = (
    ("Cardiology", "medical"), ("Endocrinology", "medical"), ("Gastroenterology", "medical"),
    ("Nephrology", "medical"), ("Neurology", "medical"), ("Oncology", "medical"),
    ("Pulmonology", "medical"), ("Rheumatology", "medical"), ("Infectious Disease", "medical"),
    ("Family Medicine", "primary_care"), ("Internal Medicine", "primary_care"),
    ("Pediatrics", "primary_care"), ("Geriatrics", "primary_care"),
    ("General Surgery", "surgical"), ("Orthopedic Surgery", "surgical"),
    ("Cardiothoracic Surgery", "surgical"), ("Neurosurgery", "surgical"),
    ("Obstetrics and Gynecology", "surgical"), ("Ophthalmology", "surgical"),
    ("Psychiatry", "mental_health"), ("Clinical Psychology", "mental_health"),
    ("Radiology", "diagnostic"), ("Pathology", "diagnostic"), ("Laboratory Medicine", "diagnostic"),
    ("Nutrition", "preventive"), ("Preventive Medicine", "preventive"),
    ("Sports Medicine", "preventive"), ("Dermatology", "medical"), ("Anesthesiology", "surgical"),
    ("Emergency Medicine", "acute_care"),
)  # fmt: skip

REGIONS: tuple[str, ...] = (
    "Aguascalientes", "Baja California", "Chiapas", "Chihuahua", "Ciudad de México", "Coahuila",
    "Guanajuato", "Guerrero", "Jalisco", "México", "Michoacán", "Nuevo León", "Oaxaca", "Puebla",
    "Querétaro", "Quintana Roo", "San Luis Potosí", "Sinaloa", "Sonora", "Tamaulipas", "Veracruz",
    "Yucatán",
)  # fmt: skip

INSTITUTION_TYPES = ("hospital", "preventive_clinic", "health_center", "public_health",
                     "insurer", "pharmacy", "research", "education")  # fmt: skip
_TYPE_WEIGHTS = (30, 20, 20, 8, 6, 8, 4, 4)
_GENDERS = ("male", "female", "other", "prefer_not_to_say")
_GENDER_WEIGHTS = (48, 49, 2, 1)
_VALIDATION = ("pending", "doctor_validated", "institution_validated", "full_access")
_VALIDATION_WEIGHTS = (25, 15, 10, 50)
_BATCH = 20_000
_TYPE_LABELS = {
    "hospital": "Hospital", "preventive_clinic": "Clínica Preventiva", "health_center": "Centro de Salud",
    "public_health": "Jurisdicción Sanitaria", "insurer": "Seguros", "pharmacy": "Farmacia",
    "research": "Instituto de Investigación", "education": "Escuela de Medicina",
}  # fmt: skip
SPECIALTY_COLUMNS = ("id", "name", "category", "description")
INSTITUTION_COLUMNS = ("id", "name", "institution_type", "contact_email", "phone", "address", "region",
                       "website", "license_number", "is_active", "is_verified", "created_at", "updated_at",
                       "user_id")  # fmt: skip
DOCTOR_COLUMNS = ("id", "institution_id", "first_name", "last_name", "email", "phone", "medical_license",
                  "license_status", "specialty_id", "secondary_specialty_id", "years_experience",
                  "consultation_fee", "professional_status", "is_active", "created_at", "updated_at",
                  "user_id")  # fmt: skip
PATIENT_COLUMNS = ("id", "doctor_id", "institution_id", "first_name", "last_name", "email", "date_of_birth",
                   "gender", "phone", "validation_status", "is_verified", "is_active", "created_at",
                   "updated_at", "user_id")  # fmt: skip
ADMIN_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "department",
    "is_active",
    "created_at",
    "updated_at",
    "user_id",
)
USER_COLUMNS = (
    "id",
    "email",
    "password_hash",
    "role",
    "profile_id",
    "is_active",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class SeedPlan:
    """How much to generate. Doctors and institutions scale with patients unless given."""

    patients: int = 500
    doctors: int | None = None
    institutions: int | None = None
    seed: int = 2026
    rounds: int = 12

    @property
    def doctor_count(self) -> int:
        return self.doctors if self.doctors is not None else max(5, self.patients // 50)

    @property
    def institution_count(self) -> int:
        return (
            self.institutions if self.institutions is not None else max(3, self.doctor_count // 10)
        )


def _ascii(value: str) -> str:
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


@dataclass
class _Generator:
    plan: SeedPlan
    rng: random.Random = field(init=False)
    first_names: list[str] = field(init=False)
    last_names: list[str] = field(init=False)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    demo_hash: str = ""
    users: list[tuple[Any, ...]] = field(default_factory=list)

    def __post_init__(self) -> None:
        from faker import Faker

        self.rng = random.Random(self.plan.seed)  # noqa: S311 - reproducible demo data, not secrets
        faker = Faker(["es_MX", "en_US"])
        faker.seed_instance(self.plan.seed)
        # Pools of names drawn once: picking from them is ~50x faster than Faker per row.
        self.first_names = sorted({faker.first_name() for _ in range(1500)})
        self.last_names = sorted({faker.last_name() for _ in range(1500)})
        self.cities = sorted({faker.city() for _ in range(400)})

    def new_uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def created(self) -> datetime:
        return self.now - timedelta(seconds=self.rng.randrange(0, 3 * 365 * 86400))

    def phone(self) -> str:
        return f"+52 {self.rng.randrange(10, 99)} {self.rng.randrange(1000, 9999)} {self.rng.randrange(1000, 9999)}"

    def name(self) -> tuple[str, str]:
        return self.rng.choice(self.first_names), self.rng.choice(self.last_names)

    def login(self, email: str, role: str, profile: uuid.UUID | None, *, demo: bool) -> uuid.UUID:
        password = self.demo_hash if demo else None  # bulk logins have no password until reset
        user_id = self.new_uuid()
        self.users.append((user_id, email, password, role, profile, True, self.now, self.now))
        return user_id

    def institutions(self) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        for i in range(self.plan.institution_count):
            kind = self.rng.choices(INSTITUTION_TYPES, _TYPE_WEIGHTS)[0]
            city = self.rng.choice(self.cities)
            email = (
                DEMO_LOGINS["institution"]
                if i == 0
                else f"contacto{i}@{_ascii(city)}-{kind}.example.org"
            )
            created = self.created()
            iid = self.new_uuid()
            rows.append((
                iid, f"{_TYPE_LABELS[kind]} {city} {i + 1}", kind, email, self.phone(),
                f"{self.rng.randrange(1, 999)} Av. {self.rng.choice(self.last_names)}, {city}",
                self.rng.choice(REGIONS), f"https://{_ascii(city)}{i}.example.org", f"INST-{i + 1:06d}",
                True, self.rng.random() < 0.7, created, created,
            ))  # fmt: skip
            # The login is drawn after the row, so adding its id kept the generated data unchanged.
            rows[-1] += (self.login(email, "institution", iid, demo=i == 0),)
        return rows

    def doctors(
        self, institutions: Sequence[tuple[Any, ...]], specialties: Sequence[tuple[Any, ...]]
    ) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        for i in range(self.plan.doctor_count):
            first, last = self.name()
            email = (
                DEMO_LOGINS["doctor"]
                if i == 0
                else f"{_ascii(first)}.{_ascii(last)}.{i}@doctors.example.org"
            )
            spec = self.rng.choice(specialties)[0]
            second = self.rng.choice(specialties)[0] if self.rng.random() < 0.2 else None
            created = self.created()
            did = self.new_uuid()
            institution = institutions[0][0] if i == 0 else self.rng.choice(institutions)[0]
            rows.append((
                did, institution, first, last, email, self.phone(), f"MED-{i + 1:07d}",
                self.rng.choices(("verified", "pending", "rejected"), (85, 12, 3))[0], spec,
                second if second != spec else None, self.rng.randrange(0, 40),
                round(self.rng.uniform(300, 2500), 2),
                self.rng.choices(("active", "suspended", "retired"), (92, 3, 5))[0], True, created, created,
            ))  # fmt: skip
            rows[-1] += (self.login(email, "doctor", did, demo=i == 0),)
        return rows

    def patients(self, doctors: Sequence[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        today = date.today()
        for i in range(self.plan.patients):
            first, last = self.name()
            doctor = doctors[0] if i == 0 else doctors[self.rng.randrange(len(doctors))]
            email = (
                DEMO_LOGINS["patient"]
                if i == 0
                else f"patient{i}.{_ascii(last)}@patients.example.org"
            )
            born = today - timedelta(days=self.rng.randrange(365, 95 * 365))
            created = self.created()
            pid = self.new_uuid()
            user_id = self.login(email, "patient", pid, demo=i == 0)
            yield (
                pid, doctor[0], doctor[1], first, last, email, born,
                self.rng.choices(_GENDERS, _GENDER_WEIGHTS)[0], self.phone(),
                self.rng.choices(_VALIDATION, _VALIDATION_WEIGHTS)[0], self.rng.random() < 0.6,
                True, created, created, user_id,
            )  # fmt: skip


async def is_seeded(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        count = await conn.scalar(text("SELECT count(*) FROM auth.users"))
    return bool(count)


async def wipe(engine: AsyncEngine) -> None:
    """Empty every table of every subgraph (keeps the schema and migrations)."""
    async with engine.begin() as conn:
        rows = await conn.execute(
            text(
                "SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN "
                "('auth','admins','doctors','institutions','patients') AND tablename <> 'alembic_version'"
            )
        )
        tables = [f'"{s}"."{t}"' for s, t in rows.all()]
        if tables:
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))


async def _copy(
    conn: AsyncConnection,
    *, schema: str, table: str, columns: Sequence[str], records: Iterator[tuple[Any, ...]],
    advance: Callable[[int], None],
) -> None:  # fmt: skip
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    batch: list[tuple[Any, ...]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= _BATCH:
            await driver.copy_records_to_table(
                table, records=batch, columns=list(columns), schema_name=schema
            )
            advance(len(batch))
            batch = []
    if batch:
        await driver.copy_records_to_table(
            table, records=batch, columns=list(columns), schema_name=schema
        )
        advance(len(batch))


async def seed(
    engine: AsyncEngine, plan: SeedPlan, progress: Callable[[str, int, int], None]
) -> dict[str, int]:
    """Generate and load everything in one transaction; `progress(step, done, total)` reports."""
    from subgraphs.auth.passwords import hash_password

    gen = _Generator(plan)
    gen.demo_hash = await hash_password(DEMO_PASSWORD, plan.rounds)
    specialties = [(gen.new_uuid(), name, cat, None) for name, cat in SPECIALTIES]
    institutions = gen.institutions()
    doctors = gen.doctors(institutions, specialties)
    admin_id = gen.new_uuid()
    admin_user = gen.login(DEMO_LOGINS["admin"], "admin", admin_id, demo=True)
    admins = [(admin_id, "Ada", "Admin", DEMO_LOGINS["admin"], "Platform", True, gen.now, gen.now,
               admin_user)]  # fmt: skip
    gen.login(DEMO_LOGINS["analyst"], "analyst", None, demo=True)

    def step(name: str, total: int) -> Callable[[int], None]:
        done = 0
        progress(name, 0, total)

        def advance(n: int) -> None:
            nonlocal done
            done += n
            progress(name, done, total)

        return advance

    loads: list[tuple[str, str, tuple[str, ...], Iterator[tuple[Any, ...]], int]] = [
        ("doctors", "specialties", SPECIALTY_COLUMNS, iter(specialties), len(specialties)),
        (
            "institutions",
            "institutions",
            INSTITUTION_COLUMNS,
            iter(institutions),
            len(institutions),
        ),
        ("doctors", "doctors", DOCTOR_COLUMNS, iter(doctors), len(doctors)),
        ("patients", "patients", PATIENT_COLUMNS, gen.patients(doctors), plan.patients),
        ("admins", "admins", ADMIN_COLUMNS, iter(admins), len(admins)),
    ]
    async with engine.begin() as conn:
        for schema, table, columns, rows, total in loads:
            await _copy(conn, schema=schema, table=table, columns=columns, records=rows,
                        advance=step(table, total))  # fmt: skip
        # Logins last: the patients generator adds one per patient as it goes.
        await _copy(conn, schema="auth", table="users", columns=USER_COLUMNS,
                    records=iter(gen.users), advance=step("logins", len(gen.users)))  # fmt: skip
        progress("analyze", 0, 1)
        for table in (
            "institutions.institutions",
            "doctors.doctors",
            "patients.patients",
            "auth.users",
        ):
            await conn.execute(text(f"ANALYZE {table}"))
        progress("analyze", 1, 1)
    return {
        "institutions": len(institutions),
        "doctors": len(doctors),
        "patients": plan.patients,
        "logins": len(gen.users),
    }
