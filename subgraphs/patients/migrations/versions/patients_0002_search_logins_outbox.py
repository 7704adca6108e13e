"""name search (pg_trgm + unaccent), keyset indexes, login link, status audit columns, outbox

Revision ID: patients_0002
Revises: patients_0001
Create Date: 2026-11-29 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from subgraphs.kit.audit import create_audit_outbox, drop_audit_outbox

revision: str = "patients_0002"
down_revision: str | None = "patients_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Extensions are per database and shared by every subgraph: serialize their creation.
    op.execute("SELECT pg_advisory_xact_lock(hashtext('predicthealth-extensions'))")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    # unaccent() is STABLE; with the dictionary pinned the wrapper may be IMMUTABLE (indexable).
    op.execute(
        """
        CREATE OR REPLACE FUNCTION patients.full_name_key(first_name text, last_name text)
        RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary,
                                           coalesce(first_name, '') || ' ' || coalesce(last_name, ''))) $$
        """
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION patients.fold(value text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
        "AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$"
    )
    op.execute(
        "CREATE INDEX ix_patients_full_name_trgm ON patients.patients "
        "USING gin (patients.full_name_key(first_name, last_name) public.gin_trgm_ops)"
    )
    for name, columns in (
        ("ix_patients_name_id", ["last_name", "first_name", "id"]),
        ("ix_patients_created_at_id", ["created_at", "id"]),
        ("ix_patients_doctor_name", ["doctor_id", "last_name", "first_name", "id"]),
        ("ix_patients_institution_name", ["institution_id", "last_name", "first_name", "id"]),
        ("ix_patients_date_of_birth", ["date_of_birth"]),
    ):
        op.create_index(name, "patients", columns, schema="patients")
    op.add_column("patients", sa.Column("status_changed_by", sa.Uuid()), schema="patients")
    op.add_column(
        "patients", sa.Column("status_changed_at", sa.DateTime(timezone=True)), schema="patients"
    )
    op.add_column("patients", sa.Column("user_id", sa.Uuid(), nullable=True), schema="patients")
    op.create_unique_constraint(
        op.f("uq_patients_user_id"), "patients", ["user_id"], schema="patients"
    )
    create_audit_outbox("patients")


def downgrade() -> None:
    drop_audit_outbox("patients")
    op.drop_constraint(op.f("uq_patients_user_id"), "patients", schema="patients")
    for column in ("user_id", "status_changed_at", "status_changed_by"):
        op.drop_column("patients", column, schema="patients")
    for name in (
        "ix_patients_date_of_birth",
        "ix_patients_institution_name",
        "ix_patients_doctor_name",
        "ix_patients_created_at_id",
        "ix_patients_name_id",
        "ix_patients_full_name_trgm",
    ):
        op.drop_index(name, table_name="patients", schema="patients")
    op.execute("DROP FUNCTION IF EXISTS patients.full_name_key(text, text)")
    op.execute("DROP FUNCTION IF EXISTS patients.fold(text)")
