"""The institutions subgraph."""
