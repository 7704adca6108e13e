"""audit outbox, append-only audit log, audit filter indexes, admin login link

Revision ID: admins_0002
Revises: admins_0001
Create Date: 2026-11-29 03:31:15.409582
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from subgraphs.kit.audit import create_audit_outbox, drop_audit_outbox

revision: str = "admins_0002"
down_revision: str | None = "admins_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("admins", sa.Column("user_id", sa.Uuid(), nullable=True), schema="admins")
    op.create_unique_constraint(op.f("uq_admins_user_id"), "admins", ["user_id"], schema="admins")
    op.create_index(
        "ix_audit_events_action", "audit_events", ["action", "seq"], unique=False, schema="admins"
    )
    op.create_index(
        "ix_audit_events_target_ids", "audit_events", ["target_ids"], unique=False,
        schema="admins", postgresql_using="gin",
    )  # fmt: skip
    # Append-only, enforced by the database too: no role the API uses may UPDATE or DELETE.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION admins.audit_events_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON admins.audit_events "
        "FOR EACH ROW EXECUTE FUNCTION admins.audit_events_append_only()"
    )
    create_audit_outbox("admins")


def downgrade() -> None:
    drop_audit_outbox("admins")
    op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON admins.audit_events")
    op.execute("DROP FUNCTION IF EXISTS admins.audit_events_append_only()")
    op.drop_index("ix_audit_events_target_ids", table_name="audit_events", schema="admins")
    op.drop_index("ix_audit_events_action", table_name="audit_events", schema="admins")
    op.drop_constraint(op.f("uq_admins_user_id"), "admins", schema="admins")
    op.drop_column("admins", "user_id", schema="admins")
