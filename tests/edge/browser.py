"""Debian's Chromium for browser tests: found, else installed (root + apt-get), else a skip reason."""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

__all__ = ["chromium_or_reason"]

_PEERS = Path(__file__).resolve().parents[1] / "peers"


@cache
def chromium_or_reason() -> tuple[str | None, str]:
    """(executable, "") when Chromium and playwright-core are usable, else (None, why not).

    `.ci/run` installs Chromium; a machine running only `uv run pytest` gets it here when it can
    (root with apt-get), never from a browser download (Playwright's own builds are not used)."""
    if shutil.which("node") is None:
        return None, "node is not installed"
    if not (_PEERS / "node_modules" / "playwright-core").exists():
        return None, "tests/peers/node_modules/playwright-core missing (npm ci in tests/peers)"
    found = shutil.which("chromium")
    if found is not None:
        return found, ""
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        return None, "chromium missing and cannot be installed here (needs root and apt-get)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in ([apt, "update", "-qq"], [apt, "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(
            argv, check=False, env=env, capture_output=True, text=True, timeout=900
        )
        if done.returncode != 0:
            return None, f"installing chromium failed: {done.stderr.strip()[-500:]}"
    found = shutil.which("chromium")
    return (found, "") if found else (None, "apt-get installed no chromium executable")
