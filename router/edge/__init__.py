"""The router's edge: persisted queries and trusted documents (more edge features to come)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from router.edge.config import PersistedQueryConfig
from router.edge.manifest import (
    ManifestError,
    ManifestOperation,
    check_manifest,
    check_manifest_file,
    load_manifest,
)
from router.edge.persisted import PersistedQueries, sha256_hex

if TYPE_CHECKING:
    from router.pipeline import Router

__all__ = [
    "Edge",
    "ManifestError",
    "ManifestOperation",
    "PersistedQueries",
    "PersistedQueryConfig",
    "check_manifest",
    "check_manifest_file",
    "install",
    "load_manifest",
    "sha256_hex",
]


@dataclass
class Edge:
    """The edge features installed on one `Router`; `close` releases their connections."""

    persisted: PersistedQueries

    async def close(self) -> None:
        await self.persisted.close()


def install(router: Router) -> Edge:
    """Insert the edge stages into `router.stages`: persisted queries resolve right before the
    document stage (after authentication, when that is on)."""
    persisted = PersistedQueries.build(router.config.persisted_queries)
    names = [stage.__name__ for stage in router.stages]
    router.stages.insert(names.index("stage_document"), persisted.stage)
    return Edge(persisted)
