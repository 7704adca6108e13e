"""Turn planned groups into a plan tree: nest single-parent fetches, stage the ones with more deps."""

from __future__ import annotations

from collections.abc import Callable

from router.planner.groups import Group
from router.planner.plan import Parallel, PlanNode
from router.planner.plan import Sequence as SequenceNode

__all__ = ["assemble", "sequence"]


def _tree_children(groups: list[Group]) -> dict[Group, list[Group]]:
    children: dict[Group, list[Group]] = {g: [] for g in groups}
    for g in groups:
        if g.parent is not None and not g.deps:
            children[g.parent].append(g)
    return children


def sequence(nodes: list[PlanNode]) -> PlanNode:
    flat: list[PlanNode] = []
    for node in nodes:
        flat.extend(node.nodes if isinstance(node, SequenceNode) else (node,))
    return flat[0] if len(flat) == 1 else SequenceNode(tuple(flat))


def _par(nodes: list[PlanNode]) -> PlanNode:
    flat: list[PlanNode] = []
    for node in nodes:
        flat.extend(node.nodes if isinstance(node, Parallel) else (node,))
    return flat[0] if len(flat) == 1 else Parallel(tuple(flat))


def assemble(
    fetch: Callable[[Group], PlanNode], groups: list[Group], heads0: list[Group]
) -> PlanNode | None:
    """Place groups: a group depending only on its parent nests under it; others wait for a stage."""
    children = _tree_children(groups)
    head_of: dict[Group, Group] = {}

    def head(g: Group) -> Group:
        while g.parent is not None and not g.deps:
            g = g.parent
        return g

    for g in groups:
        head_of[g] = head(g)
    stage: dict[Group, int] = {}

    def stage_of(h: Group, seen: frozenset[Group] = frozenset()) -> int:
        if h in stage:
            return stage[h]
        if h.parent is None or h in seen:
            return 0
        parents = {h.parent, *h.deps}
        value = 1 + max(stage_of(head_of[d], seen | {h}) for d in parents)
        stage[h] = value
        return value

    heads = [g for g in groups if head_of[g] is g]
    for h in heads:
        stage_of(h)
    for h in heads0:
        stage.setdefault(h, 0)

    def tree(g: Group) -> PlanNode:
        own = fetch(g)
        kids = children[g]
        if not kids:
            return own
        return sequence([own, _par([tree(k) for k in kids])])

    if not heads:
        return None
    stages: dict[int, list[Group]] = {}
    for h in heads:
        stages.setdefault(stage.get(h, 0), []).append(h)
    return sequence([_par([tree(h) for h in stages[s]]) for s in sorted(stages)])
