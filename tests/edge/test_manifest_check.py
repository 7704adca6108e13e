"""`predicthealth pq check`: the shipped manifest is valid; a breaking schema change is caught."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from router.edge import check_manifest_file, load_manifest
from subgraphs.kit.cli import app

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "schema/persisted-queries/analytics.json"
SUPERGRAPH = ROOT / "schema/supergraph.graphql"


def test_shipped_manifest_is_valid() -> None:
    assert len(load_manifest(MANIFEST)) >= 3
    result = CliRunner().invoke(
        app, ["pq", "check", str(MANIFEST), "--supergraph", str(SUPERGRAPH)]
    )
    assert result.exit_code == 0, result.output


def test_breaking_change_is_caught(tmp_path: Path) -> None:
    # Rename a field an integrator's operation selects: `userCounts.total` -> `grandTotal`.
    sdl = SUPERGRAPH.read_text()
    head, tail = sdl.split("type UserCounts", 1)
    tail, count = re.subn(r"\btotal: Int!", "grandTotal: Int!", tail, count=1)
    assert count == 1
    broken = f"{head}type UserCounts{tail}"
    changed = tmp_path / "supergraph.graphql"
    changed.write_text(broken)
    problems = check_manifest_file(MANIFEST, changed)
    assert any("UserCounts" in p and "total" in p for p in problems), problems
    result = CliRunner().invoke(app, ["pq", "check", str(MANIFEST), "--supergraph", str(changed)])
    assert result.exit_code == 1


def test_not_a_manifest(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something-else", "version": 1, "operations": []}')
    result = CliRunner().invoke(app, ["pq", "check", str(bad), "--supergraph", str(SUPERGRAPH)])
    assert result.exit_code == 1
