"""The admins subgraph."""
