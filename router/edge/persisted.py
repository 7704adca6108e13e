"""The persisted-query stage: APQ (Apollo's protocol exactly) and trusted-document safelisting."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from router.context import RequestContext
from router.edge.apq_store import ApqStore
from router.edge.config import PersistedQueryConfig
from router.edge.manifest import ManifestOperation, load_manifests, manifest_paths

if TYPE_CHECKING:
    from router.pipeline import Router

__all__ = ["PersistedQueries", "sha256_hex"]


def sha256_hex(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def _error(message: str, code: str) -> list[dict[str, Any]]:
    return [{"message": message, "extensions": {"code": code}}]


@dataclass
class PersistedQueries:
    """Resolves `extensions.persistedQuery` into `request.query` before the document stage."""

    config: PersistedQueryConfig
    store: ApqStore
    trusted: dict[str, ManifestOperation]
    trusted_bodies: frozenset[str]
    apq_hits: int = 0
    apq_misses: int = 0

    @classmethod
    def build(cls, config: PersistedQueryConfig, root: Path | None = None) -> PersistedQueries:
        trusted = load_manifests(manifest_paths(config.manifests, root))
        store = ApqStore(
            config.memory_size, config.redis_url, config.redis_prefix, config.redis_ttl
        )
        return cls(config, store, trusted, frozenset(op.body for op in trusted.values()))

    def _trusted(self, sha256: str | None, query: str) -> bool:
        return (sha256 is not None and sha256 in self.trusted) or query in self.trusted_bodies

    async def stage(self, router: Router, ctx: RequestContext) -> None:
        del router
        request = ctx.request
        extensions = request.extensions
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        query = request.query if isinstance(request.query, str) else None
        if persisted is None:
            if self.config.safelist and query is not None and not self._trusted(None, query):
                message = "The operation body was not found in the persisted query safelist"
                ctx.fail(400, _error(message, "QUERY_NOT_IN_SAFELIST"))
            return
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            message = "Unsupported persisted query version"
            ctx.fail(400, _error(message, "PERSISTED_QUERY_UNSUPPORTED_VERSION"))
            return
        sha256 = persisted.get("sha256Hash")
        if not isinstance(sha256, str) or not sha256:
            ctx.fail(400, _error("`persistedQuery.sha256Hash` must be a string", "BAD_REQUEST"))
            return
        if query is not None:
            await self._register(ctx, sha256, query)
            return
        trusted = self.trusted.get(sha256)
        if trusted is not None:
            request.query = trusted.body
            return
        if self.config.safelist:
            message = f"Persisted query '{sha256}' not found in the persisted query list"
            ctx.fail(400, _error(message, "PERSISTED_QUERY_NOT_IN_LIST"))
            return
        if not self.config.apq:
            ctx.fail(200, _error("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED"))
            return
        stored = await self.store.get(sha256)
        if stored is None:
            self.apq_misses += 1
            # 200 on purpose: Apollo's APQ link retries with the full query on this answer.
            ctx.fail(200, _error("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND"))
            return
        self.apq_hits += 1
        request.query = stored

    async def _register(self, ctx: RequestContext, sha256: str, query: str) -> None:
        if sha256_hex(query) != sha256:
            ctx.fail(
                400, _error("provided sha does not match query", "PERSISTED_QUERY_HASH_MISMATCH")
            )
            return
        if self.config.safelist:
            if not self._trusted(sha256, query):
                message = "The operation body was not found in the persisted query safelist"
                ctx.fail(400, _error(message, "QUERY_NOT_IN_SAFELIST"))
            return  # in safelist mode only the manifest is a source of documents
        if self.config.apq:
            await self.store.put(sha256, query)

    async def close(self) -> None:
        await self.store.close()
