"""Where each subgraph's definition lives, so tools can load any of them by name."""

from __future__ import annotations

import importlib

from subgraphs.kit.app import SubgraphDefinition
from subgraphs.kit.settings import SUBGRAPHS

__all__ = ["SUBGRAPHS", "load_definition", "subgraph_sdl"]


def load_definition(name: str) -> SubgraphDefinition:
    if name not in SUBGRAPHS:
        raise ValueError(f"unknown subgraph {name!r}; choose one of {', '.join(SUBGRAPHS)}")
    definition: SubgraphDefinition = importlib.import_module(f"subgraphs.{name}.app").definition
    return definition


def subgraph_sdl(name: str) -> str:
    """The subgraph's federation SDL, as `_service { sdl }` returns it (no server needed)."""
    result = load_definition(name).schema.execute_sync("{ _service { sdl } }")
    if result.errors or result.data is None:
        raise RuntimeError(f"{name}: could not print its SDL: {result.errors}")
    sdl: str = result.data["_service"]["sdl"]
    return sdl.strip() + "\n"
