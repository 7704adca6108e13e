"""A basic satisfiability check: every field reachable in a subgraph must be resolvable from there.

Apollo's full check explores the federated query graph; this one covers the common failures: a
type reached in one subgraph whose field lives only in subgraphs that cannot be jumped to (no
resolvable @key there, or key fields the reaching subgraph cannot provide).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from graphql import GraphQLError

from router.composition.errors import CompositionIssue
from router.composition.fieldset import base_name, parse_field_set
from router.composition.model import Key, Subgraph, SubType
from router.composition.output import Supergraph

__all__ = ["check_satisfiability"]

_ROOTS = ("Query", "Mutation", "Subscription")


class _Checker:
    def __init__(self, graphs: Sequence[Subgraph], supergraph: Supergraph) -> None:
        self.graphs = list(graphs)
        self.supergraph = supergraph
        self.overridden = self._overridden()
        # (subgraph index, type) -> path of field names by which it was first reached there.
        self.paths: dict[tuple[int, str], list[str]] = {}
        self.native: set[tuple[int, str]] = set()

    def _overridden(self) -> set[tuple[str, str]]:
        """(subgraph, coordinate) pairs a field was taken over from by @override."""
        result: set[tuple[str, str]] = set()
        for g in self.graphs:
            for t in g.types.values():
                for f in t.fields.values():
                    if f.override is not None:
                        result.add((f.override, f.coordinate))
        return result

    def resolvable(self, idx: int, type_name: str, field_name: str) -> bool:
        g = self.graphs[idx]
        t = g.types.get(type_name)
        f = t.fields.get(field_name) if t else None
        if f is None or (g.name, f.coordinate) in self.overridden:
            return False
        return not g.fully_external(f) or (t is not None and self.in_extension_key(t, field_name))

    @staticmethod
    def in_extension_key(t: SubType, field_name: str) -> bool:
        """Key fields of a type extension are known to the subgraph even when @external."""
        for k in t.keys:
            if k.extension or t.extends:
                try:
                    selection = parse_field_set(k.fields)
                except GraphQLError:
                    continue
                names = {
                    getattr(getattr(s, "name", None), "value", None) for s in selection.selections
                }
                if field_name in names:
                    return True
        return False

    def reach(self) -> None:
        queue: deque[tuple[int, str]] = deque()
        for idx, g in enumerate(self.graphs):
            for root in _ROOTS:
                if root in g.types and g.types[root].fields:
                    self.paths[(idx, root)] = []
                    queue.append((idx, root))
        while True:
            while queue:
                idx, name = queue.popleft()
                for child, path in self.children(idx, name):
                    if (idx, child) not in self.paths:
                        self.paths[(idx, child)] = path
                        queue.append((idx, child))
            if not self.native:
                self.native = set(self.paths)  # reached from the subgraph's own root fields
            # Entities reached anywhere are reachable in every subgraph with a resolvable key.
            for (_, name), path in list(self.paths.items()):
                for idx, g in enumerate(self.graphs):
                    t = g.types.get(name)
                    if (
                        t
                        and (idx, name) not in self.paths
                        and any(k.resolvable is not False for k in t.keys)
                    ):
                        self.paths[(idx, name)] = path
                        queue.append((idx, name))
            if not queue:
                return

    def children(self, idx: int, name: str) -> list[tuple[str, list[str]]]:
        g = self.graphs[idx]
        t = g.types.get(name)
        if t is None:
            return []
        path = self.paths[(idx, name)]
        result: list[tuple[str, list[str]]] = []
        if t.kind in ("interface", "union"):
            members = t.members if t.kind == "union" else [i.name for i in g.implementations(name)]
            result += [(m, [*path, f"... on {m}"]) for m in members]
        for f in t.fields.values():
            if self.resolvable(idx, name, f.name) or f.coordinate in g.provided:
                target = g.types.get(base_name(f.type))
                if target is not None and target.kind in ("object", "interface", "union"):
                    result.append((target.name, [*path, f.name]))
        return result

    def jump_closure(self, start: int, name: str) -> set[int]:
        """Subgraphs `start` can reach for type `name` through chains of @key jumps."""
        seen = {start}
        queue = deque([start])
        while queue:
            source = queue.popleft()
            for target, g in enumerate(self.graphs):
                t = g.types.get(name)
                if target not in seen and t is not None and self.can_jump(source, target, t):
                    seen.add(target)
                    queue.append(target)
        return seen

    def can_jump(self, source: int, target: int, t: SubType) -> bool:
        """Whether subgraph `source` can hand `t` over to `target` through one of target's keys."""
        return any(
            k.resolvable is not False and self.provides_key(source, t.name, k) for k in t.keys
        )

    def provides_key(self, idx: int, type_name: str, key: Key) -> bool:
        try:
            selection = parse_field_set(key.fields)
        except Exception:  # noqa: BLE001 - invalid keys were reported by validation already
            return False
        t = self.graphs[idx].types.get(type_name)
        if t is None:
            return False
        for sel in selection.selections:
            name = getattr(getattr(sel, "name", None), "value", None)
            if name is None or name == "__typename":
                continue
            f = t.fields.get(name)
            if f is None or not self.resolvable(idx, type_name, name):
                return False
        return True

    def check(self) -> list[CompositionIssue]:
        self.reach()
        issues = (
            self.check_shared_runtime_types()
            + self.check_interface_objects()
            + self.check_requires_conditions()
        )
        reported: set[str] = set()
        for (idx, name), path in self.paths.items():
            out = self.supergraph.types.get(name)
            st = self.graphs[idx].types.get(name)
            if (
                out is None
                or out.kind != "object"
                or name in _ROOTS
                or st is None
                or st.interface_object
            ):
                continue
            for field_name in out.fields:
                coordinate = f"{name}.{field_name}"
                if coordinate in reported or self.resolvable(idx, name, field_name):
                    continue
                holders = [
                    i
                    for i in range(len(self.graphs))
                    if i != idx and self.resolvable(i, name, field_name)
                ]
                if not holders:
                    continue  # provided only through @interfaceObject: resolved via the interface
                if self.jump_closure(idx, name) & set(holders):
                    continue
                reported.add(coordinate)
                issues.append(self.issue(idx, name, field_name, path, holders))
        return issues

    def check_requires_conditions(self) -> list[CompositionIssue]:
        """Fields a @requires needs must be fetchable from a subgraph reachable through keys."""
        issues: list[CompositionIssue] = []
        for (idx, name), path in self.paths.items():
            t = self.graphs[idx].types.get(name)
            for f in t.fields.values() if t else ():
                if f.requires is None:
                    continue
                try:
                    selection = parse_field_set(f.requires)
                except GraphQLError:
                    continue
                closure = self.jump_closure(idx, name)
                for sel in selection.selections:
                    needed = getattr(getattr(sel, "name", None), "value", None)
                    if needed is None or needed == "__typename":
                        continue
                    if any(self.resolvable(i, name, needed) for i in closure if i != idx):
                        continue
                    query = _query(path, f.name)
                    issues.append(
                        CompositionIssue(
                            "SATISFIABILITY_ERROR",
                            f"The following supergraph API query:\n{query}\ncannot be satisfied by "
                            f'the subgraphs because:\n- from subgraph "{self.graphs[idx].name}": '
                            f'cannot satisfy @require conditions on field "{f.coordinate}".',
                        )
                    )
                    break
        return issues

    def check_interface_objects(self) -> list[CompositionIssue]:
        """An @interfaceObject needs a subgraph that resolves its concrete type via the interface."""
        issues: list[CompositionIssue] = []
        for (idx, name), path in self.paths.items():
            t = self.graphs[idx].types.get(name)
            # Only where a query enters the @interfaceObject from the subgraph's own root fields.
            if t is None or not t.interface_object or (idx, name) not in self.native:
                continue
            resolvers = [
                i
                for i, g in enumerate(self.graphs)
                if (itf := g.types.get(name)) is not None
                and itf.kind == "interface"
                and self.can_jump(idx, i, itf)
            ]
            if not resolvers:
                query = _query([*path, "... on <implementation>"], "...")
                issues.append(
                    CompositionIssue(
                        "SATISFIABILITY_ERROR",
                        f"The following supergraph API query:\n{query}\ncannot be satisfied by the "
                        f'subgraphs because:\n- from subgraph "{self.graphs[idx].name}": no subgraph '
                        "can be reached to resolve the implementation type of @interfaceObject type "
                        f'"{name}".',
                    )
                )
        return issues

    def runtime_types(self, idx: int, name: str) -> set[str] | None:
        t = self.graphs[idx].types.get(name)
        if t is None or t.kind not in ("interface", "union") or t.interface_object:
            return None
        if t.kind == "union":
            return set(t.members)
        return {i.name for i in self.graphs[idx].implementations(name) if i.kind == "object"}

    def check_shared_runtime_types(self) -> list[CompositionIssue]:
        """A field shared by several subgraphs must have some runtime type in common across them."""
        issues: list[CompositionIssue] = []
        for t in self.supergraph.types.values():
            if t.kind not in ("object", "interface"):
                continue
            path = self.example_path(t.name)
            if path is None:
                continue
            for out_field in t.fields.values():
                issue = self.shared_runtime_issue(t.name, out_field.name, out_field.type, path)
                if issue:
                    issues.append(issue)
        return issues

    def shared_runtime_issue(
        self, type_name: str, field_name: str, type_text: str, path: list[str]
    ) -> CompositionIssue | None:
        base = type_text.strip("[]!")
        per_graph: list[tuple[str, set[str]]] = []
        for idx, g in enumerate(self.graphs):
            if self.resolvable(idx, type_name, field_name):
                runtime = self.runtime_types(idx, base)
                if runtime is not None:
                    per_graph.append((g.name, runtime))
        if len(per_graph) < 2 or set.intersection(*(r for _, r in per_graph)):
            return None
        lines = []
        for graph_name, runtime in per_graph:
            names = [f'"{n}"' for n in sorted(runtime)]
            listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            plural = "type" if len(names) == 1 else "types"
            lines.append(f' - in subgraph "{graph_name}", {plural} {listed}')
        query = _query([*path, field_name], "...")
        return CompositionIssue(
            "SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES",
            f"For the following supergraph API query:\n{query}\nShared field "
            f'"{type_name}.{field_name}" return type "{type_text}" has a non-intersecting set of '
            "possible runtime types across subgraphs. Runtime types in subgraphs are:\n"
            + ";\n".join(lines)
            + ".\nThis is not allowed as shared fields must resolve the same way in all "
            "subgraphs, and that implies at least some common runtime types between the subgraphs.",
        )

    def example_path(self, name: str) -> list[str] | None:
        if name in _ROOTS:
            return []
        paths = [p for (_, n), p in self.paths.items() if n == name]
        return min(paths, key=len) if paths else None

    def issue(
        self, idx: int, name: str, field_name: str, path: list[str], holders: list[int]
    ) -> CompositionIssue:
        query = _query(path, field_name)
        source = self.graphs[idx].name
        reasons = []
        for i in holders:
            g = self.graphs[i]
            if not any(k.resolvable is not False for k in g.types[name].keys):
                reasons.append(
                    f'  - cannot move to subgraph "{g.name}", which has field "{name}.{field_name}", '
                    f'because type "{name}" has no @key defined in subgraph "{g.name}".'
                )
            else:
                reasons.append(
                    f'  - cannot move to subgraph "{g.name}" using its @key of "{name}", the key '
                    f'field(s) cannot be resolved from subgraph "{source}".'
                )
        message = (
            f"The following supergraph API query:\n{query}\ncannot be satisfied by the subgraphs "
            f'because:\n- from subgraph "{source}":\n  - cannot find field "{name}.{field_name}".\n'
            + "\n".join(reasons)
        )
        return CompositionIssue("SATISFIABILITY_ERROR", message)


def _query(path: list[str], leaf: str) -> str:
    """`{ a { b { leaf } } }` laid out the way Apollo prints example queries."""
    query = "{\n"
    indent = "  "
    for step in path:
        query += f"{indent}{step} {{\n"
        indent += "  "
    query += f"{indent}{leaf}\n"
    for _ in path:
        indent = indent[:-2]
        query += f"{indent}}}\n"
    return query + "}"


def check_satisfiability(
    graphs: Sequence[Subgraph], supergraph: Supergraph
) -> list[CompositionIssue]:
    """Report fields that some query path reaches but no subgraph on that path can resolve."""
    return _Checker(graphs, supergraph).check()
