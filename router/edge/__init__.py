"""The router's edge: GraphQL over HTTP (CORS, CSRF, negotiation), persisted queries, trusted documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from router.edge.config import PersistedQueryConfig
from router.edge.http import HttpEdge
from router.edge.http_config import HttpConfig
from router.edge.manifest import (
    ManifestError,
    ManifestOperation,
    check_manifest,
    check_manifest_file,
    load_manifest,
)
from router.edge.persisted import PersistedQueries, sha256_hex
from router.edge.request_shape import stage_request_shape

if TYPE_CHECKING:
    from router.pipeline import Router

__all__ = [
    "Edge",
    "HttpConfig",
    "HttpEdge",
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
    http: HttpEdge

    async def close(self) -> None:
        await self.persisted.close()


def install(router: Router) -> Edge:
    """Insert the edge stages into `router.stages`: persisted queries resolve right before the
    document stage (after authentication, when that is on)."""
    persisted = PersistedQueries.build(router.config.persisted_queries)
    names = [stage.__name__ for stage in router.stages]
    at = names.index("stage_document")
    router.stages[at:at] = [stage_request_shape, persisted.stage]
    return Edge(persisted, HttpEdge(router.config.http))
