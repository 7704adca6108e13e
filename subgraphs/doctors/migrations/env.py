"""Alembic environment for the doctors subgraph (schema `doctors`)."""

from subgraphs.doctors.models import Base
from subgraphs.kit.migrations import run_env

run_env(Base.metadata)
