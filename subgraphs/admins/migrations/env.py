"""Alembic environment for the admins subgraph (schema `admins`)."""

from subgraphs.admins.models import Base
from subgraphs.kit.migrations import run_env

run_env(Base.metadata)
