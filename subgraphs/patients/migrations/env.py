"""Alembic environment for the patients subgraph (schema `patients`)."""

from subgraphs.kit.migrations import run_env
from subgraphs.patients.models import Base

run_env(Base.metadata)
