"""Names and phrasing shared by composition messages (Apollo's wording)."""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["KIND_NAMES", "mismatch", "sanitize_graph_name", "subgraph_list"]


KIND_NAMES = {
    "object": "Object Type",
    "interface": "Interface Type",
    "union": "Union Type",
    "enum": "Enum Type",
    "input": "Input Object Type",
    "scalar": "Scalar Type",
}


def sanitize_graph_name(name: str) -> str:
    """Apollo's `sanitizeGraphQLName`: the `join__Graph` value for a subgraph name."""
    out = re.sub(r"\W", "_", name)
    if re.match(r"^\d", out):
        out = "_" + out
    if re.search(r"_\d+$", out):
        out += "_"
    return out.upper()


def subgraph_list(names: Sequence[str]) -> str:
    quoted = [f'"{n}"' for n in names]
    if len(quoted) == 1:
        return "subgraph " + quoted[0]
    return "subgraphs " + ", ".join(quoted[:-1]) + " and " + quoted[-1]


def mismatch(parts: list[str]) -> str:
    """Apollo's mismatch phrasing: `X in subgraph "a" but Y in subgraph "b" and Z in ...`."""
    return parts[0] + (" but " + " and ".join(parts[1:]) if len(parts) > 1 else "")
