"""Alembic environment for the institutions subgraph (schema `institutions`)."""

from subgraphs.institutions.models import Base
from subgraphs.kit.migrations import run_env

run_env(Base.metadata)
