"""The patients subgraph."""
