"""search indexes (pg_trgm + unaccent), keyset indexes, licence format, login link

Revision ID: institutions_0002
Revises: institutions_0001
Create Date: 2026-11-29 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "institutions_0002"
down_revision: str | None = "institutions_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LICENSE_PATTERN = r"^[A-Z]{2,6}-[0-9]{4,12}$"


def upgrade() -> None:
    # Extensions are per database and shared by every subgraph: serialize their creation.
    op.execute("SELECT pg_advisory_xact_lock(hashtext('predicthealth-extensions'))")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    # unaccent() is STABLE (its dictionary could change); pinning the dictionary makes this
    # wrapper safe to declare IMMUTABLE, which index expressions require.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION institutions.fold(value text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$
        """
    )
    op.execute(
        "CREATE INDEX ix_institutions_name_trgm ON institutions.institutions "
        "USING gin (institutions.fold(name) public.gin_trgm_ops)"
    )
    op.create_index("ix_institutions_name_id", "institutions", ["name", "id"], schema="institutions")
    op.create_index(
        "ix_institutions_created_at_id", "institutions", ["created_at", "id"], schema="institutions"
    )
    op.create_index("ix_institutions_region", "institutions", ["region"], schema="institutions")
    op.create_check_constraint(
        op.f("ck_institutions_license_format"),
        "institutions",
        f"license_number ~ '{LICENSE_PATTERN}'",
        schema="institutions",
    )
    op.add_column("institutions", sa.Column("user_id", sa.Uuid(), nullable=True), schema="institutions")
    op.create_unique_constraint(
        op.f("uq_institutions_user_id"), "institutions", ["user_id"], schema="institutions"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("uq_institutions_user_id"), "institutions", schema="institutions")
    op.drop_column("institutions", "user_id", schema="institutions")
    op.drop_constraint(op.f("ck_institutions_license_format"), "institutions", schema="institutions")
    op.drop_index("ix_institutions_region", table_name="institutions", schema="institutions")
    op.drop_index("ix_institutions_created_at_id", table_name="institutions", schema="institutions")
    op.drop_index("ix_institutions_name_id", table_name="institutions", schema="institutions")
    op.drop_index("ix_institutions_name_trgm", table_name="institutions", schema="institutions")
    op.execute("DROP FUNCTION IF EXISTS institutions.fold(text)")
