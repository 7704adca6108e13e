"""name search (pg_trgm + unaccent), keyset indexes, licence format, login link

Revision ID: doctors_0002
Revises: doctors_0001
Create Date: 2026-11-29 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "doctors_0002"
down_revision: str | None = "doctors_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LICENSE_PATTERN = r"^[A-Z]{2,6}-[0-9]{5,12}$"


def upgrade() -> None:
    # Extensions are per database and shared by every subgraph: serialize their creation.
    op.execute("SELECT pg_advisory_xact_lock(hashtext('predicthealth-extensions'))")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    # unaccent() is STABLE; with the dictionary pinned the wrapper may be IMMUTABLE (indexable).
    op.execute(
        """
        CREATE OR REPLACE FUNCTION doctors.full_name_key(first_name text, last_name text)
        RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary,
                                           coalesce(first_name, '') || ' ' || coalesce(last_name, ''))) $$
        """
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION doctors.fold(value text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
        "AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$"
    )
    op.execute(
        "CREATE INDEX ix_doctors_full_name_trgm ON doctors.doctors "
        "USING gin (doctors.full_name_key(first_name, last_name) public.gin_trgm_ops)"
    )
    op.create_index(
        "ix_doctors_name_id", "doctors", ["last_name", "first_name", "id"], schema="doctors"
    )
    op.create_index("ix_doctors_created_at_id", "doctors", ["created_at", "id"], schema="doctors")
    op.create_index(
        "ix_doctors_institution_name",
        "doctors",
        ["institution_id", "last_name", "first_name", "id"],
        schema="doctors",
    )
    op.create_check_constraint(
        op.f("ck_doctors_license_format"),
        "doctors",
        f"medical_license ~ '{LICENSE_PATTERN}'",
        schema="doctors",
    )
    op.add_column("doctors", sa.Column("user_id", sa.Uuid(), nullable=True), schema="doctors")
    op.create_unique_constraint(op.f("uq_doctors_user_id"), "doctors", ["user_id"], schema="doctors")


def downgrade() -> None:
    op.drop_constraint(op.f("uq_doctors_user_id"), "doctors", schema="doctors")
    op.drop_column("doctors", "user_id", schema="doctors")
    op.drop_constraint(op.f("ck_doctors_license_format"), "doctors", schema="doctors")
    op.drop_index("ix_doctors_institution_name", table_name="doctors", schema="doctors")
    op.drop_index("ix_doctors_created_at_id", table_name="doctors", schema="doctors")
    op.drop_index("ix_doctors_name_id", table_name="doctors", schema="doctors")
    op.drop_index("ix_doctors_full_name_trgm", table_name="doctors", schema="doctors")
    op.execute("DROP FUNCTION IF EXISTS doctors.full_name_key(text, text)")
    op.execute("DROP FUNCTION IF EXISTS doctors.fold(text)")
