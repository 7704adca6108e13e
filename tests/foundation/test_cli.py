"""The `predicthealth` command reads well and its sub-commands are all there."""

from __future__ import annotations

from typer.testing import CliRunner

from subgraphs.kit.cli import app


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("dev", "router", "subgraph", "migrate", "seed", "schema", "servers"):
        assert command in result.output


def test_schema_help_lists_export_check_compose() -> None:
    result = CliRunner().invoke(app, ["schema", "--help"])
    assert result.exit_code == 0
    for command in ("export", "check", "compose"):
        assert command in result.output


def test_unknown_subgraph_is_a_readable_error() -> None:
    result = CliRunner().invoke(app, ["subgraph", "pharmacy"])
    assert result.exit_code == 1
    assert "unknown subgraph 'pharmacy'" in result.output
