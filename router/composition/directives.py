"""Merging applied directives: access-control DNF conjunction, @cost/@listSize strategies."""

from __future__ import annotations

import json

from graphql.language import (
    BooleanValueNode,
    IntValueNode,
    ListValueNode,
    StringValueNode,
    ValueNode,
)
from graphql.language.print_string import print_string

from router.composition.model import Applied, SubType

__all__ = [
    "REPEATABLE",
    "dnf_conjunction",
    "dnf_values",
    "merge_cost_arguments",
    "print_value_str",
    "record_access_control",
]


REPEATABLE = {"tag"}


def dnf_values(value: ValueNode | None) -> list[list[str]]:
    if not isinstance(value, ListValueNode):
        return []
    return [
        [v.value for v in inner.values if isinstance(v, StringValueNode)]
        for inner in value.values
        if isinstance(inner, ListValueNode)
    ]


def _key(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def dnf_conjunction(values: list[list[list[str]]]) -> list[list[str]]:
    """Port of Apollo's `dnfConjunction` (AND of OR-of-AND scope lists), same ordering."""
    if not values:
        return []
    filtered: list[list[list[str]]] = []
    seen: set[str] = set()
    for raw in values:
        value = [sorted(inner) for inner in (raw or [[]])]
        value.sort(key=_key)
        if _key(value) not in seen:
            seen.add(_key(value))
            filtered.append(value)
    result = filtered[0]
    for current in filtered[1:]:
        accumulator: list[list[str]] = []
        done: set[str] = set()
        for acc in result:
            for element in current:
                candidate = sorted([*acc, *(e for e in element if e not in acc)])
                if _key(candidate) not in done:
                    done.add(_key(candidate))
                    accumulator.append(candidate)
        accumulator.sort(key=len)
        result = []
        for candidate in accumulator:
            if not any(all(e in candidate for e in r) for r in result):
                result.append(candidate)
    return result


def record_access_control(
    extra: dict[str, list[list[Applied] | None]], st: SubType, ac: str, interfaces: list[str]
) -> None:
    if any(a.name == ac for a in st.directives):
        for itf in interfaces:
            extra.setdefault(f"{itf}_{ac}", []).append(st.directives)
    for f in st.fields.values():
        if not f.external and any(a.name == ac for a in f.directives):
            for itf in interfaces:
                extra.setdefault(f"{itf}.{f.name}_{ac}", []).append(f.directives)


def merge_cost_arguments(name: str, applications: list[Applied]) -> list[tuple[str, str]]:
    """Apollo's strategies for differing @cost/@listSize: MAX, NULLABLE_MAX/UNION/AND."""

    def ints(arg: str) -> list[int]:
        return [
            int(v.value) for a in applications if isinstance(v := a.args.get(arg), IntValueNode)
        ]

    if name == "cost":
        return [("weight", str(max(ints("weight"))))]
    merged: list[tuple[str, str]] = []
    if sizes := ints("assumedSize"):
        merged.append(("assumedSize", str(max(sizes))))
    for arg in ("slicingArguments", "sizedFields"):
        lists = [a.args[arg] for a in applications if isinstance(a.args.get(arg), ListValueNode)]
        if lists:
            union: list[str] = []
            for value in lists:
                assert isinstance(value, ListValueNode)
                for item in value.values:
                    if isinstance(item, StringValueNode) and item.value not in union:
                        union.append(item.value)
            merged.append((arg, "[" + ", ".join(print_string(u) for u in union) + "]"))
    require_one = all(
        not isinstance(v := a.args.get("requireOneSlicingArgument"), BooleanValueNode) or v.value
        for a in applications
    )
    merged.append(("requireOneSlicingArgument", "true" if require_one else "false"))
    return merged


def print_value_str(value: str) -> str:
    from graphql.language.print_string import print_string

    return print_string(value)
