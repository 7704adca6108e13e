"""stored name key for name search: trigram index on a column, name order index includes it

Revision ID: patients_0003
Revises: patients_0002
Create Date: 2026-11-29 07:30:00

With 1,000,000 patients the folded name (`full_name_key`: lower + unaccent) cost ~6 µs per row
each time a plan filtered or rechecked on it: ~120 ms for a first-name search walking the name
index. Stored once per row, a filter is a plain LIKE on text; included in the name-order index,
a broad search walks that index without reading the table (bench/README.md, benchmark 3).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "patients_0003"
down_revision: str | None = "patients_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE patients.patients ADD COLUMN name_key text "
        "GENERATED ALWAYS AS (patients.full_name_key(first_name, last_name)) STORED"
    )
    op.execute(
        "CREATE INDEX ix_patients_name_key_trgm ON patients.patients "
        "USING gin (name_key public.gin_trgm_ops)"
    )
    op.drop_index("ix_patients_full_name_trgm", table_name="patients", schema="patients")
    # The name order now carries the key: a broad search walks it index-only.
    op.drop_index("ix_patients_name_id", table_name="patients", schema="patients")
    op.create_index(
        "ix_patients_name_id", "patients", ["last_name", "first_name", "id"],
        schema="patients", postgresql_include=["name_key"],
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_patients_name_id", table_name="patients", schema="patients")
    op.create_index(
        "ix_patients_name_id", "patients", ["last_name", "first_name", "id"], schema="patients"
    )
    op.execute(
        "CREATE INDEX ix_patients_full_name_trgm ON patients.patients "
        "USING gin (patients.full_name_key(first_name, last_name) public.gin_trgm_ops)"
    )
    op.drop_index("ix_patients_name_key_trgm", table_name="patients", schema="patients")
    op.drop_column("patients", "name_key", schema="patients")
