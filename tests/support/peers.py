"""Install and locate the npm reference peers (Apollo composition and gateway, Hive, graphql-http)."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

__all__ = ["PEERS_DIR", "ensure_peers", "node_bin"]

PEERS_DIR = Path(__file__).resolve().parent.parent / "peers"


def ensure_peers() -> Path:
    """Install the peers from the lock file once (safe across pytest workers); return node_modules."""
    modules = PEERS_DIR / "node_modules"
    marker = modules / ".predicthealth-installed"
    lock = PEERS_DIR / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return modules
    if shutil.which("npm") is None:
        raise RuntimeError("npm is needed for the reference peers; install Node.js 20+")
    with (PEERS_DIR / ".install.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        if not (marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime):
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=PEERS_DIR,
                check=True,
            )
            marker.touch()
    return modules


def node_bin() -> str:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is needed for the reference peers; install Node.js 20+")
    return node
