"""The project's own five Strawberry subgraphs as a composition case (skipped if not importable)."""

from __future__ import annotations

import importlib

from tests.composition.corpus import Case

__all__ = ["SUBGRAPHS", "project_case"]

SUBGRAPHS = ("admins", "auth", "doctors", "institutions", "patients")


def project_case() -> Case | None:
    sdls: list[tuple[str, str]] = []
    for name in SUBGRAPHS:
        try:
            module = importlib.import_module(f"subgraphs.{name}.schema")
        except Exception:  # noqa: BLE001 - another engineer's module may be mid-change
            return None
        schema = getattr(module, "schema", None)
        if schema is None:
            return None
        sdls.append((name, schema.as_str()))
    return Case("project_subgraphs", tuple(sdls))
