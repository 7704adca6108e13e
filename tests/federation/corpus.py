"""Load the hand-written differential corpus: `corpus/<scenario>.graphql`.

Each case starts with a `# case: <name>` line, optionally followed by `# variables: <json>` and
`# operationName: <name>` lines, then the GraphQL document up to the next `# case:`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tests.support.gateway_diff import Operation

__all__ = ["CORPUS_DIR", "CorpusCase", "load_corpus"]

CORPUS_DIR = Path(__file__).with_name("corpus")
_META = ("# variables:", "# operationName:")


@dataclass(frozen=True)
class CorpusCase:
    scenario: str
    operation: Operation

    @property
    def id(self) -> str:
        return f"{self.scenario}/{self.operation.name}"


def _parse(scenario: str, text: str) -> list[CorpusCase]:
    cases: list[CorpusCase] = []
    name: str | None = None
    meta: dict[str, str] = {}
    body: list[str] = []

    def flush() -> None:
        if name is None:
            return
        variables = json.loads(meta["variables"]) if "variables" in meta else None
        operation = Operation("\n".join(body).strip(), variables, meta.get("operationName"), name)
        cases.append(CorpusCase(scenario, operation))

    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("# case:"):
            flush()
            name, meta, body = stripped.removeprefix("# case:").strip(), {}, []
        elif not body and stripped.startswith(_META):
            key, _, value = stripped.removeprefix("# ").partition(":")
            meta[key.strip()] = value.strip()
        elif name is not None and (body or stripped):
            body.append(line)
    flush()
    names = [c.operation.name for c in cases]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"corpus/{scenario}.graphql repeats case names {sorted(duplicates)}")
    return cases


def load_corpus() -> list[CorpusCase]:
    """Every case of every scenario, in file order."""
    cases: list[CorpusCase] = []
    for path in sorted(CORPUS_DIR.glob("*.graphql")):
        cases += _parse(path.stem, path.read_text())
    return cases
