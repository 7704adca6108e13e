"""Corpus sets with random small edits (dropped directives, swapped names, nullability, fields).

Most become invalid in some way; the point is that we then fail with Apollo's error code, and
that the still-valid ones compose to Apollo's exact supergraph.
"""

from __future__ import annotations

import random
import re

from tests.composition.corpus import INVALID, VALID, Case
from tests.composition.edges import EDGES

__all__ = ["mutated_cases"]

_BUILTINS = {"String", "Int", "Float", "Boolean", "ID"}


def _mutate(rng: random.Random, text: str) -> str:
    # Keep the schema header (@link imports) intact: only the type definitions are edited.
    lines = text.split("\n")
    last = max(
        (i for i, line in enumerate(lines) if "@link" in line or "@compose" in line), default=-1
    )
    header, sdl = "\n".join(lines[: last + 1]), "\n".join(lines[last + 1 :])
    for _ in range(rng.randint(1, 3)):
        op = rng.random()
        if op < 0.3:
            sdl = re.sub(r"@(?!link)\w+(\([^)]*\))?", "", sdl, count=1)
        elif op < 0.6:
            names = [n for n in re.findall(r"\b[A-Z]\w*\b", sdl) if n not in _BUILTINS]
            if len(names) > 2:
                a, b = rng.sample(names, 2)
                sdl = re.sub(rf"\b{a}\b", b, sdl, count=1)
        elif op < 0.8:
            if rng.random() < 0.5:
                sdl = sdl.replace("!", "", 1)
            else:
                sdl = re.sub(r"(: \w+)(?=[\s)])", r"\1!", sdl, count=rng.randint(1, 3))
        else:
            fields = re.findall(r"\b[a-z]\w*: ", sdl)
            if fields:
                sdl = sdl.replace(rng.choice(fields), "", 1)
    return header + "\n" + sdl


def mutated_cases(count: int = 200, seed: int = 11) -> list[Case]:
    rng = random.Random(seed)
    base = VALID + INVALID + EDGES
    cases = []
    for i in range(count):
        case = rng.choice(base)
        subgraphs = tuple(
            (name, _mutate(rng, sdl) if rng.random() < 0.6 else sdl) for name, sdl in case.subgraphs
        )
        cases.append(Case(f"mutated_{i}_{case.name}", subgraphs))
    return cases
