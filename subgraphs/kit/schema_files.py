"""The checked-in schemas in schema/: each subgraph's SDL and the composed supergraph."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from router.composition import SubgraphSource, compose, fetch_sdl
from subgraphs.kit.registry import subgraph_sdl
from subgraphs.kit.settings import SERVICE_PORTS, SUBGRAPHS, Settings

__all__ = ["compose_files", "compose_live", "compose_ours", "export_schemas", "stale_schemas"]


def _local_url(name: str) -> str:
    return f"http://127.0.0.1:{SERVICE_PORTS[name]}/graphql"


def compose_ours(settings: Settings | None = None) -> str:
    """Our subgraphs' SDL (from the code) composed with the URLs in `settings`, or the
    standard local ports when none are given (the checked-in supergraph)."""
    url = settings.service_url if settings is not None else _local_url
    return compose([SubgraphSource(name=n, url=url(n), sdl=subgraph_sdl(n)) for n in SUBGRAPHS])


def compose_files(specs: Sequence[str]) -> str:
    """Compose `NAME=URL=FILE` triples."""
    sources = []
    for spec in specs:
        parts = spec.split("=", 2)
        if len(parts) != 3:
            raise ValueError(f"expected NAME=URL=FILE, got {spec!r}")
        name, url, file = parts
        sources.append(SubgraphSource(name=name, url=url, sdl=Path(file).read_text()))
    return compose(sources)


async def compose_live(settings: Settings) -> str:
    """Compose from the running subgraphs' `_service { sdl }`, at their configured URLs."""
    urls = [settings.service_url(name) for name in SUBGRAPHS]
    sdls = await asyncio.gather(*(fetch_sdl(url) for url in urls))
    return compose(
        [
            SubgraphSource(name=n, url=u, sdl=s)
            for n, u, s in zip(SUBGRAPHS, urls, sdls, strict=True)
        ]
    )


def _expected() -> dict[str, str]:
    files = {f"{name}.graphql": subgraph_sdl(name) for name in SUBGRAPHS}
    files["supergraph.graphql"] = compose_ours()
    return files


def export_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, content in _expected().items():
        path = folder / filename
        path.write_text(content)
        written.append(path)
    return written


def stale_schemas(folder: Path) -> list[str]:
    """Names of files in `folder` that are missing or differ from what the code produces."""
    stale = []
    for filename, content in _expected().items():
        path = folder / filename
        if not path.exists() or path.read_text() != content:
            stale.append(filename)
    return stale
