"""Apollo persisted-query manifests: load them, and check them against a supergraph."""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from graphql import GraphQLSchema, parse, validate
from graphql.error import GraphQLSyntaxError

from router.edge.config import DEFAULT_MANIFEST_GLOB

__all__ = [
    "ManifestError",
    "ManifestOperation",
    "check_manifest",
    "check_manifest_file",
    "load_manifest",
    "load_manifests",
    "manifest_paths",
]

_FORMAT = "apollo-persisted-query-manifest"


class ManifestError(ValueError):
    """A file that is not a version 1 Apollo persisted-query manifest."""


@dataclass(frozen=True, slots=True)
class ManifestOperation:
    """One trusted document: `id` is what clients send as `persistedQuery.sha256Hash`."""

    id: str
    name: str | None
    type: str | None
    body: str


def load_manifest(path: Path) -> list[ManifestOperation]:
    try:
        raw: Any = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as error:
        raise ManifestError(f"{path}: not JSON ({error})") from error
    if not isinstance(raw, dict) or raw.get("format") != _FORMAT or raw.get("version") != 1:
        raise ManifestError(f"{path}: expected format {_FORMAT!r} version 1")
    operations = raw.get("operations")
    if not isinstance(operations, list):
        raise ManifestError(f"{path}: `operations` must be a list")
    result = []
    for index, op in enumerate(operations):
        if not (isinstance(op, dict) and isinstance(op.get("id"), str)):
            raise ManifestError(f"{path}: operation {index} has no string `id`")
        if not isinstance(op.get("body"), str):
            raise ManifestError(f"{path}: operation {op['id']} has no string `body`")
        result.append(ManifestOperation(op["id"], op.get("name"), op.get("type"), op["body"]))
    return result


def manifest_paths(configured: tuple[Path, ...] | None, root: Path | None = None) -> list[Path]:
    """The configured manifests, else the default glob (relative to `root`, default cwd)."""
    if configured is not None:
        return list(configured)
    pattern = str((root or Path.cwd()) / DEFAULT_MANIFEST_GLOB)
    return [Path(p) for p in sorted(glob.glob(pattern))]


def load_manifests(paths: list[Path]) -> dict[str, ManifestOperation]:
    """Every operation of every manifest by id; a later manifest wins on a duplicate id."""
    return {op.id: op for path in paths for op in load_manifest(path)}


def check_manifest(operations: list[ManifestOperation], schema: GraphQLSchema) -> list[str]:
    """One line per operation that does not parse or validate against `schema` (the API schema)."""
    problems = []
    for op in operations:
        label = f"{op.name or '(anonymous)'} [{op.id[:12]}]"
        try:
            document = parse(op.body)
        except GraphQLSyntaxError as error:
            problems.append(f"{label}: {error.message}")
            continue
        problems.extend(f"{label}: {error.message}" for error in validate(schema, document))
    return problems


def check_manifest_file(manifest: Path, supergraph: Path) -> list[str]:
    """`check_manifest` for a manifest file against a supergraph SDL file (its API schema)."""
    from router.api_schema import build_api_schema
    from router.supergraph import Supergraph

    schema = build_api_schema(Supergraph(supergraph.read_text()).document)
    return check_manifest(load_manifest(manifest), schema)
