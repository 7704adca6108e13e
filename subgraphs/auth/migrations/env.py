"""Alembic environment for the auth subgraph (schema `auth`)."""

from subgraphs.auth.models import Base
from subgraphs.kit.migrations import run_env

run_env(Base.metadata)
