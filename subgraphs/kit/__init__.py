"""Shared subgraph kit: settings, database, Redis, auth context, app factory, CLI."""
