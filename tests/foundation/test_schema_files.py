"""The checked-in schema/ files match what the code produces."""

from __future__ import annotations

from pathlib import Path

from subgraphs.kit.schema_files import export_schemas, stale_schemas

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"


def test_checked_in_schemas_are_fresh() -> None:
    stale = stale_schemas(SCHEMA_DIR)
    assert not stale, f"stale: {stale}; run `uv run predicthealth schema export`"


def test_stale_file_is_detected(tmp_path: Path) -> None:
    export_schemas(tmp_path)
    assert stale_schemas(tmp_path) == []
    (tmp_path / "doctors.graphql").write_text("type Query { edited: Int }\n")
    (tmp_path / "supergraph.graphql").unlink()
    assert stale_schemas(tmp_path) == ["doctors.graphql", "supergraph.graphql"]
