"""statistics at scale: indexes for the user counts and lockouts, statistics generation

Revision ID: auth_0004
Revises: auth_0003
Create Date: 2026-11-29 07:45:00

With 1,000,000 logins, `userCounts` (distinct profiles per role) sorted every row on disk
(2.9 s) and the locked-account count scanned the table (0.23 s). (role, profile_id) lets the
counts stream from an index-only scan; the partial index holds only locked accounts. The
generation sequence keys the statistics cache (`subgraphs/kit/stats_cache.py`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from subgraphs.kit.stats_cache import create_stats_generation, drop_stats_generation

revision: str = "auth_0004"
down_revision: str | None = "auth_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("users",)


def upgrade() -> None:
    op.create_index("ix_users_role_profile_id", "users", ["role", "profile_id"], schema="auth")
    op.create_index(
        "ix_users_locked_until", "users", ["locked_until"], schema="auth",
        postgresql_where=sa.text("locked_until IS NOT NULL"),
    )  # fmt: skip
    create_stats_generation("auth", TABLES)


def downgrade() -> None:
    drop_stats_generation("auth", TABLES)
    op.drop_index("ix_users_locked_until", table_name="users", schema="auth")
    op.drop_index("ix_users_role_profile_id", table_name="users", schema="auth")
