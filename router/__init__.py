"""Python Apollo Federation v2 router: `create_app(sdl)` for ASGI, `serve(path, host, port)` to run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from router.config import RouterConfig

__all__ = ["serve"]


def serve(
    supergraph_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 4000,
    config: RouterConfig | None = None,
) -> None:
    """Serve a supergraph SDL file over HTTP until interrupted (see `router.server.serve`)."""
    from router.server import serve as _serve

    _serve(supergraph_path, host, port, config)
