"""doctor counts: patients per doctor, kept exact by statement-level triggers in the writing
transaction

Revision ID: patients_0007
Revises: patients_0006
Create Date: 2026-11-29 10:30:00

`patientStatistics.byDoctor` over everyone grouped a million patients by doctor on every cold
read (≈ 150 ms of SQL quiet, 0.4-0.9 s loaded). `patients.doctor_counts` holds one row per
doctor (20,000 at scale), maintained like `patient_counts` (migration patients_0006): each
statement's net change per doctor, one grouped upsert in key order. Patients without a doctor
are the total less the doctors' sum (`subgraphs/patients/stats_repository.py`).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "patients_0007"
down_revision: str | None = "patients_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UPSERT = (
    "INSERT INTO patients.doctor_counts AS c (doctor_id, patients) "
    "SELECT doctor_id, sum(n) FROM ({rows}) AS d WHERE doctor_id IS NOT NULL "
    "GROUP BY doctor_id HAVING sum(n) <> 0 ORDER BY doctor_id "
    "ON CONFLICT (doctor_id) DO UPDATE SET patients = c.patients + EXCLUDED.patients"
)
_INSERTED = "SELECT doctor_id, 1 AS n FROM inserted"
_DELETED = "SELECT doctor_id, -1 AS n FROM deleted"
_FUNCTION = f"""
CREATE FUNCTION patients.count_doctor_patients() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_UPSERT.format(rows=_INSERTED)};
  ELSIF TG_OP = 'DELETE' THEN
    {_UPSERT.format(rows=_DELETED)};
  ELSIF TG_OP = 'UPDATE' THEN
    {_UPSERT.format(rows=f"{_INSERTED} UNION ALL {_DELETED}")};
  ELSE
    DELETE FROM patients.doctor_counts;
  END IF;
  RETURN NULL;
END $$
"""
_TRIGGERS = {
    "patients_doctor_count_insert": "INSERT ON patients.patients REFERENCING NEW TABLE AS inserted",
    "patients_doctor_count_delete": "DELETE ON patients.patients REFERENCING OLD TABLE AS deleted",
    "patients_doctor_count_update": (
        "UPDATE ON patients.patients REFERENCING OLD TABLE AS deleted NEW TABLE AS inserted"
    ),
    "patients_doctor_count_truncate": "TRUNCATE ON patients.patients",
}


def upgrade() -> None:
    op.execute(
        "CREATE TABLE patients.doctor_counts (doctor_id uuid NOT NULL, patients bigint NOT NULL, "
        "CONSTRAINT pk_doctor_counts PRIMARY KEY (doctor_id))"
    )
    op.execute(_FUNCTION)
    for name, event in _TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} FOR EACH STATEMENT "
            "EXECUTE FUNCTION patients.count_doctor_patients()"
        )
    # CREATE TRIGGER already keeps writers out until this transaction commits.
    op.execute(
        "INSERT INTO patients.doctor_counts (doctor_id, patients) SELECT doctor_id, count(*) "
        "FROM patients.patients WHERE doctor_id IS NOT NULL GROUP BY doctor_id"
    )


def downgrade() -> None:
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON patients.patients")
    op.execute("DROP FUNCTION IF EXISTS patients.count_doctor_patients()")
    op.execute("DROP TABLE IF EXISTS patients.doctor_counts")
