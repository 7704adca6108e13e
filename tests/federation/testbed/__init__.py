"""Small, deterministic federated subgraphs that the differential gateway tests run against."""

__all__: list[str] = []
