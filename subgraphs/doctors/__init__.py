"""The doctors subgraph."""
