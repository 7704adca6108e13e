"""statistics generation: a sequence advanced by every write to the counted tables

Revision ID: patients_0004
Revises: patients_0003
Create Date: 2026-11-29 07:40:00

Part of the statistics cache key (`subgraphs/kit/stats_cache.py`): a write anywhere in the
patients table makes the next statistics read recompute instead of serving cached figures.
"""

from collections.abc import Sequence

from subgraphs.kit.stats_cache import create_stats_generation, drop_stats_generation

revision: str = "patients_0004"
down_revision: str | None = "patients_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("patients",)


def upgrade() -> None:
    create_stats_generation("patients", TABLES)


def downgrade() -> None:
    drop_stats_generation("patients", TABLES)
