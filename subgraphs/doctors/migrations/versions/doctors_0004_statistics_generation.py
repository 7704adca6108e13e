"""statistics generation: a sequence advanced by every write to the counted tables

Revision ID: doctors_0004
Revises: doctors_0003
Create Date: 2026-11-29 07:40:00

Part of the statistics cache key (`subgraphs/kit/stats_cache.py`): a write to the doctors or
specialties tables makes the next statistics read recompute instead of serving cached figures.
"""

from collections.abc import Sequence

from subgraphs.kit.stats_cache import create_stats_generation, drop_stats_generation

revision: str = "doctors_0004"
down_revision: str | None = "doctors_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("doctors", "specialties")


def upgrade() -> None:
    create_stats_generation("doctors", TABLES)


def downgrade() -> None:
    drop_stats_generation("doctors", TABLES)
