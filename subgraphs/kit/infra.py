"""Find PostgreSQL and Redis: the configured URLs, or embedded servers in the data folder."""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.kit.embedded import EmbeddedServers
from subgraphs.kit.settings import Settings

__all__ = ["Infrastructure", "resolve_infrastructure"]


@dataclass(frozen=True, slots=True)
class Infrastructure:
    database_url: str
    redis_url: str
    embedded: EmbeddedServers | None
    started_embedded: bool

    def describe(self) -> str:
        where = "embedded" if self.embedded else "configured"
        return f"PostgreSQL {_safe(self.database_url)} and Redis {_safe(self.redis_url)} ({where})"


def _safe(url: str) -> str:
    """The URL without its password, for printing."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        creds, _, host = rest.rpartition("@")
        user = creds.split(":", 1)[0]
        return f"{scheme}{sep}{user}@{host}"
    return url


def resolve_infrastructure(settings: Settings, *, start: bool = True) -> Infrastructure:
    """Configured URLs win; whatever is missing comes from the embedded servers."""
    if settings.database_url and settings.redis_url:
        return Infrastructure(settings.database_url, settings.redis_url, None, False)
    embedded = EmbeddedServers(settings.data_dir.resolve() / "servers")
    started = embedded.start() if start else False
    return Infrastructure(
        settings.database_url or embedded.database_url,
        settings.redis_url or embedded.redis_url,
        embedded,
        started,
    )
