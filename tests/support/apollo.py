"""Run Apollo's reference composition (npm `@apollo/composition`) from Python tests."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.support.peers import PEERS_DIR, ensure_peers, node_bin

__all__ = [
    "ApolloCompositionError",
    "SubgraphSpec",
    "compose_many_with_apollo",
    "compose_with_apollo",
]

_SCRIPT = Path(__file__).with_name("compose.mjs")
_BATCH_SCRIPT = Path(__file__).with_name("compose_batch.mjs")


@dataclass(frozen=True, slots=True)
class SubgraphSpec:
    name: str
    url: str
    sdl: str


class ApolloCompositionError(Exception):
    def __init__(self, errors: list[dict[str, str | None]]) -> None:
        super().__init__("; ".join(f"[{e.get('code')}] {e.get('message')}" for e in errors))
        self.errors = errors


def compose_with_apollo(subgraphs: Sequence[SubgraphSpec]) -> str:
    """Return the supergraph SDL that `@apollo/composition` produces, or raise its errors."""
    ensure_peers()
    payload = json.dumps([{"name": s.name, "url": s.url, "sdl": s.sdl} for s in subgraphs])
    # The script must run from the peers folder so node resolves @apollo/composition there.
    script = PEERS_DIR / ".compose.mjs"
    script.write_text(_SCRIPT.read_text())
    done = subprocess.run(
        [node_bin(), str(script)],
        input=payload,
        capture_output=True,
        text=True,
        cwd=PEERS_DIR,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"@apollo/composition crashed: {done.stderr.strip()}")
    result = json.loads(done.stdout)
    if "errors" in result:
        raise ApolloCompositionError(result["errors"])
    return str(result["supergraphSdl"])


def compose_many_with_apollo(
    sets: Sequence[Sequence[SubgraphSpec]],
) -> list[str | ApolloCompositionError]:
    """Compose many subgraph sets in ONE node process: a supergraph SDL or the errors, per set."""
    ensure_peers()
    payload = json.dumps(
        [[{"name": s.name, "url": s.url, "sdl": s.sdl} for s in set_] for set_ in sets]
    )
    script = PEERS_DIR / ".compose_batch.mjs"
    script.write_text(_BATCH_SCRIPT.read_text())
    done = subprocess.run(
        [node_bin(), str(script)],
        input=payload,
        capture_output=True,
        text=True,
        cwd=PEERS_DIR,
        check=False,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"@apollo/composition crashed: {done.stderr.strip()}")
    return [
        ApolloCompositionError(r["errors"]) if "errors" in r else str(r["supergraphSdl"])
        for r in json.loads(done.stdout)
    ]
