"""Seeded random valid subgraph sets: entities, shared value types, enums, inputs, unions."""

from __future__ import annotations

import random

from tests.composition.corpus import Case, fed

__all__ = ["generate", "generated_cases"]

_SCALARS = ("Int", "String", "Boolean", "Float", "ID")


def _wrap(rng: random.Random, base: str) -> str:
    t = base
    if rng.random() < 0.3:
        t = f"[{t}{'!' if rng.random() < 0.5 else ''}]"
    if rng.random() < 0.4:
        t += "!"
    return t


def _entity(
    rng: random.Random,
    e: str,
    graphs: list[str],
    bodies: dict[str, list[str]],
    query_fields: dict[str, list[str]],
) -> None:
    """Add entity `e` to a random subset of the subgraphs (first owner gets a root field)."""
    owners = rng.sample(graphs, rng.randint(1, len(graphs)))
    compound = rng.random() < 0.3
    key = "id" if not compound else "id kind"
    first = owners[0]
    moved = rng.random() < 0.3
    for g in owners:
        fields = {"id": "ID!"} | ({"kind": "String!"} if compound else {})
        for j in range(rng.randint(0, 3)):
            hidden = " @inaccessible" if rng.random() < 0.1 else ""
            fields[f"{e.lower()}_{g}_{j}"] = _wrap(rng, rng.choice(_SCALARS)) + hidden
        if rng.random() < 0.4:
            fields["shared"] = ("Int" if g != first else "Int!") + " @shareable"
        if rng.random() < 0.3:
            fields["status"] = "Status"
        if g == first:
            fields["price"] = "Int"
            if moved:
                fields["moved"] = "String"
        elif rng.random() < 0.3:
            fields["price"] = "Int @external"
            fields[f"cost_{g}"] = 'Int @requires(fields: "price")'
        elif rng.random() < 0.3:
            fields["price"] = "Int @external"
            query_fields[g].append(f'top{e}_{g}: {e} @provides(fields: "price")')
        if g == owners[-1] and g != first and moved:
            fields["moved"] = f'String @override(from: "{first}")'
        desc = f'"""Entity {e} seen by {g}."""\n' if rng.random() < 0.3 else ""
        resolvable = ""
        if g != first and rng.random() < 0.15 and not any("@" in v for v in fields.values()):
            resolvable = ", resolvable: false"
            fields = dict(list(fields.items())[: 2 if compound else 1])
        implements = " implements Node" if rng.random() < 0.3 else ""
        body = " ".join(f"{k}: {v}" for k, v in fields.items())
        bodies[g].append(
            f'{desc}type {e}{implements} @key(fields: "{key}"{resolvable}) {{ {body} }}'
        )
    query_fields[first].append(f"all{e}(limit: Int = 10, filter: Filter): [{e}!]!")


def generate(seed: int) -> Case:
    """One reproducible random subgraph set."""
    return _one(seed)


def _one(seed: int) -> Case:
    rng = random.Random(seed)
    n_graphs = rng.randint(2, 4)
    graphs = [f"g{i}" for i in range(n_graphs)]
    bodies: dict[str, list[str]] = {g: [] for g in graphs}
    query_fields: dict[str, list[str]] = {g: [] for g in graphs}
    n_entities = rng.randint(1, 3)
    entity_names = [f"E{i}" for i in range(n_entities)]
    for e in entity_names:
        _entity(rng, e, graphs, bodies, query_fields)
    for g in graphs:
        text = " ".join(bodies[g])
        if "Status" in text:
            values = rng.sample(["A", "B", "C", "D"], rng.randint(1, 4))
            bodies[g].append(f"enum Status {{ {' '.join(values)} }}")
        if "implements Node" in text:
            bodies[g].append("interface Node { id: ID! }")
            if rng.random() < 0.5:
                query_fields[g].append("nodes: [Node!]!")
        if "Filter" in " ".join(query_fields[g]):
            bodies[g].append("input Filter { text: String limit: Int = 5 }")
        if rng.random() < 0.3:
            bodies[g].append("type Point @shareable { x: Int! y: Int! }")
            query_fields[g].append(f"point_{g}: Point")
        if rng.random() < 0.3:
            query_fields[g].append("version: String! @shareable")
        if not query_fields[g] and rng.random() < 0.5:
            query_fields[g].append(f"ping_{g}: Boolean")
        if query_fields[g]:
            bodies[g].insert(0, f"type Query {{ {' '.join(query_fields[g])} }}")
    # At least one root field somewhere so the supergraph has queries.
    if not any(query_fields.values()):
        bodies[graphs[0]].insert(0, "type Query { hello: String }")
    subgraphs = tuple((g, fed("\n".join(bodies[g]))) for g in graphs)
    return Case(f"generated_{seed}", subgraphs)


def generated_cases(count: int = 120) -> list[Case]:
    """`count` reproducible random subgraph sets (valid or not: Apollo is the oracle)."""
    return [_one(seed) for seed in range(count)]
