"""Walk merged response data: find entities at a plan path, project representations, deep-merge."""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, GraphQLSchema, InlineFragmentNode, SelectionSetNode

__all__ = [
    "Trail",
    "deep_merge",
    "entities_at",
    "entities_on_trails",
    "project",
    "trail_path",
]

Path = list[str | int]


# A response path as a linked trail (parent trail, step): extending it costs one small tuple, and
# it becomes a list only when an error must name the path.
Trail = tuple["Trail", str | int] | None


def entities_at(data: Any, path: tuple[str, ...]) -> list[tuple[dict[str, Any], Path]]:
    """Objects found at a plan path (`@` = each list element), with their concrete response paths."""
    return [(entity, trail_path(trail)) for entity, trail in entities_on_trails(data, path)]


def entities_on_trails(data: Any, path: tuple[str, ...]) -> list[tuple[dict[str, Any], Trail]]:
    """Like `entities_at`, with each path kept as a trail (see `trail_path`).

    A loop over the path's steps, not a recursion per step and element: on a cold core each
    Python call costs microseconds, and a list of 20 entities two lists deep took ~60 calls."""
    level: list[tuple[Any, Trail]] = [(data, None)]
    for step in path:
        following: list[tuple[Any, Trail]] = []
        pending = level[::-1]  # a stack: popped in order, a nested list's items go on top
        while pending:
            value, at = pending.pop()
            if isinstance(value, dict):
                if step != "@" and step in value:
                    child = value[step]
                    if child is not None:
                        following.append((child, (at, step)))
            elif isinstance(value, list):
                if step == "@":
                    for i, item in enumerate(value):
                        if item is not None:
                            following.append((item, (at, i)))
                else:  # a list the path did not mark with `@`: the step applies to its elements
                    pending.extend(_items_reversed(value, at))
        level = following
    return _objects(level)


def trail_path(trail: Trail) -> Path:
    """The response path a trail stands for."""
    steps: Path = []
    while trail is not None:
        trail, step = trail
        steps.append(step)
    steps.reverse()
    return steps


def _objects(level: list[tuple[Any, Trail]]) -> list[tuple[dict[str, Any], Trail]]:
    """The objects at the path's end; a list there stands for its elements."""
    found: list[tuple[dict[str, Any], Trail]] = []
    pending = level[::-1]
    while pending:
        value, at = pending.pop()
        if isinstance(value, dict):
            found.append((value, at))
        elif isinstance(value, list):
            pending.extend(_items_reversed(value, at))
    return found


def _items_reversed(value: list[Any], at: Trail) -> list[tuple[Any, Trail]]:
    return [(value[i], (at, i)) for i in range(len(value) - 1, -1, -1) if value[i] is not None]


def _matches(schema: GraphQLSchema, typename: Any, condition: str) -> bool:
    if typename == condition:
        return True
    runtime = schema.type_map.get(typename) if isinstance(typename, str) else None
    abstract = schema.type_map.get(condition)
    if runtime is None or abstract is None:
        return False
    try:
        return schema.is_sub_type(abstract, runtime)  # type: ignore[arg-type]
    except (TypeError, AttributeError):
        return False


def project(
    schema: GraphQLSchema, source: Any, selection_set: SelectionSetNode
) -> dict[str, Any] | None:
    """Select a representation out of an entity (None when a required value is missing)."""
    if not isinstance(source, dict):
        return None
    result: dict[str, Any] = {}
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            # The planner may alias a key field (to dodge a client alias); the subgraph wants its name.
            key = selection.alias.value if selection.alias else selection.name.value
            if key not in source:
                return None
            value = source[key]
            if selection.selection_set is not None and value is not None:
                value = _project_value(schema, value, selection.selection_set)
            result[selection.name.value] = value
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition.name.value if selection.type_condition else None
            if condition is None or _matches(schema, source.get("__typename"), condition):
                inner = project(schema, source, selection.selection_set)
                if inner is None:
                    return None
                deep_merge(result, inner)
    return result


def _project_value(schema: GraphQLSchema, value: Any, selection_set: SelectionSetNode) -> Any:
    if isinstance(value, list):
        return [_project_value(schema, item, selection_set) for item in value]
    if value is None:
        return None
    return project(schema, value, selection_set)


def deep_merge(
    target: dict[str, Any], source: dict[str, Any], abstract: frozenset[str] = frozenset()
) -> None:
    """Merge `source` into `target` in place (objects field by field, lists element by element).

    An abstract `__typename` (what an `@interfaceObject` graph answers) never replaces a known one.
    """
    if target.keys().isdisjoint(source):
        target.update(source)  # the common case: an entity fetch adds only new fields
        return
    for key, value in source.items():
        if key not in target:
            target[key] = value
            continue
        existing = target.get(key)
        if isinstance(existing, dict) and isinstance(value, dict):
            deep_merge(existing, value, abstract)
        elif isinstance(existing, list) and isinstance(value, list) and len(existing) == len(value):
            _merge_lists(existing, value, abstract)
        elif key == "__typename" and existing is not None and value in abstract:
            continue
        else:
            target[key] = value


def _merge_lists(target: list[Any], source: list[Any], abstract: frozenset[str]) -> None:
    for i, value in enumerate(source):
        existing = target[i]
        if isinstance(existing, dict) and isinstance(value, dict):
            deep_merge(existing, value, abstract)
        elif isinstance(existing, list) and isinstance(value, list) and len(existing) == len(value):
            _merge_lists(existing, value, abstract)
        else:
            target[i] = value
