"""Seeded random subgraph sets that mix every merge rule (valid or not; Apollo is the oracle)."""

from __future__ import annotations

import random

from tests.composition.corpus import Case, fed

__all__ = ["mixed_cases"]

_IMPORTS = ["@key", "@shareable", "@external", "@inaccessible", "@tag", "@override", "@requires"]
_TYPES = ("Int", "Int!", "String", "String!", "[Int]", "[Int!]", "[Int!]!", "Kind", "Kind!")


def _maybe(rng: random.Random, p: float, text: str) -> str:
    return text if rng.random() < p else ""


def _shareable(rng: random.Random) -> str:
    return " @shareable" if rng.random() < 0.97 else ""


def _field_directives(rng: random.Random) -> str:
    return (
        _shareable(rng)
        + _maybe(rng, 0.08, " @inaccessible")
        + _maybe(rng, 0.1, ' @tag(name: "t")')
        + _maybe(rng, 0.05, ' @deprecated(reason: "old")')
    )


def _graph(rng: random.Random, name: str, graphs: list[str]) -> str:
    parts: list[str] = []
    query: list[str] = []
    kinds = (
        ["A", "B"] if rng.random() < 0.7 else rng.sample(["A", "B", "C", "D"], rng.randint(1, 4))
    )
    parts.append(f"enum Kind {{ {' '.join(kinds)} }}")
    if rng.random() < 0.6:
        pool = ["a: Int", "b: String", "c: Int!", "d: Kind", "e: [Int!]"]
        fields = pool[:2] if rng.random() < 0.7 else rng.sample(pool, 2)
        parts.append(f"input Filter {{ {' '.join(fields)} }}")
        query.append(
            f"search(filter: Filter, k: Kind{_maybe(rng, 0.3, ' = A')}): [Item] @shareable"
        )
    itf_fields = ["id: ID!", "title: String"]
    if rng.random() < 0.3:
        itf_fields = rng.sample(["id: ID!", "title: String", "size: Int"], rng.randint(1, 3))
    if "id: ID!" not in itf_fields:
        itf_fields.insert(0, "id: ID!")
    key = _maybe(rng, 0.15, ' @key(fields: "id")')
    parts.append(f"interface Item{key} {{ {' '.join(itf_fields)} }}")
    members = []
    for impl in rng.sample(["Book", "Film", "Song"], rng.randint(1, 3)):
        members.append(impl)
        extra = " ".join(
            f"{f}: {rng.choice(_TYPES) if rng.random() < 0.1 else _TYPES[0]}{_field_directives(rng)}"
            for f in rng.sample(["pages", "rating", "note"], rng.randint(0, 3))
        )
        impl_fields = " ".join(f"{f}{_maybe(rng, 0.97, ' @shareable')}" for f in itf_fields)
        desc = _maybe(rng, 0.2, f'"""{impl} from {name}."""\n')
        override = ""
        if rng.random() < 0.1 and name != graphs[0]:
            override = f' moved: Int @override(from: "{graphs[0]}")'
        parts.append(
            f'{desc}type {impl} implements Item @key(fields: "id") {{ {impl_fields} {extra}{override} }}'
        )
    if rng.random() < 0.5:
        parts.append(f"union Media = {' | '.join(members)}")
        query.append("media: [Media] @shareable")
    if rng.random() < 0.4:
        parts.append(f"type Stats @shareable {{ count: {rng.choice(['Int', 'Int!'])} kind: Kind }}")
        query.append(
            f"stats{_maybe(rng, 0.5, '(k: Kind)')}: Stats{_maybe(rng, 0.8, ' @shareable')}"
        )
    query.append(f"items_{name}: [Item!]!")
    query.append(f"kind_{name}: Kind")
    parts.insert(0, f"type Query {{ {' '.join(query)} }}")
    return fed("\n".join(parts), "2.3", _IMPORTS)


def _case(seed: int) -> Case:
    rng = random.Random(seed)
    graphs = [f"m{i}" for i in range(rng.randint(2, 3))]
    return Case(f"mixed_{seed}", tuple((g, _graph(rng, g, graphs)) for g in graphs))


def mixed_cases(count: int = 120) -> list[Case]:
    """`count` reproducible subgraph sets exercising interfaces, unions, enums, inputs, sharing."""
    return [_case(seed) for seed in range(count)]
