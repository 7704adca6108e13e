"""audit outbox: this subgraph's audit events wait here for the relay

Revision ID: auth_0003
Revises: auth_0002
Create Date: 2026-11-29 04:10:00
"""

from collections.abc import Sequence

from subgraphs.kit.audit import create_audit_outbox, drop_audit_outbox

revision: str = "auth_0003"
down_revision: str | None = "auth_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_audit_outbox("auth")


def downgrade() -> None:
    drop_audit_outbox("auth")
