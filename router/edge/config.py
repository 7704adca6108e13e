"""Settings of the router's edge: automatic persisted queries and trusted documents."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_MANIFEST_GLOB", "PersistedQueryConfig"]

#: Manifests loaded when none are configured (only if the directory exists).
DEFAULT_MANIFEST_GLOB = "schema/persisted-queries/*.json"


@dataclass(frozen=True, slots=True)
class PersistedQueryConfig:
    """APQ (Apollo's `extensions.persistedQuery` protocol) and trusted-document manifests."""

    #: Accept `extensions.persistedQuery` hashes registered by clients (Apollo's APQ).
    apq: bool = True
    #: Shared APQ store for every replica; None: the in-memory LRU only.
    redis_url: str | None = None
    redis_prefix: str = "ph:apq:"
    #: Seconds a registered APQ document lives in Redis (refreshed on registration).
    redis_ttl: int = 7 * 24 * 3600
    #: Documents kept in the in-process LRU in front of Redis.
    memory_size: int = 4096
    #: Apollo persisted-query manifest files; None: `DEFAULT_MANIFEST_GLOB` when present.
    manifests: tuple[Path, ...] | None = None
    #: Serve ONLY manifest operations (by id, or a body identical to a manifest body).
    safelist: bool = False
