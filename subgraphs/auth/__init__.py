"""The auth subgraph."""
