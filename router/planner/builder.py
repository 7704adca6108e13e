"""Build a query plan: group the client's fields into subgraph fetches joined by entity jumps."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    is_composite_type,
)

from router.planner.assemble import assemble, sequence
from router.planner.fetches import build_fetch
from router.planner.groups import (
    Group,
    PlanningError,
    Provided,
    list_depth,
    provided_tree,
    root_of,
)
from router.planner.plan import (
    Flatten,
    PlanNode,
    QueryPlan,
)
from router.planner.selection import SelSet, add_selection_set, response_key
from router.supergraph import Key, Supergraph

__all__ = ["PlanningError", "QueryPlanner"]

_INTROSPECTION = frozenset({"__schema", "__type"})
_MAX_JUMP_DEPTH = 64


class _Builder:
    """Plans one operation; holds the groups created along the way."""

    def __init__(
        self,
        supergraph: Supergraph,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
    ) -> None:
        self.sg = supergraph
        self.schema = supergraph.schema
        self.operation = operation
        self.fragments = fragments
        self.ids = itertools.count()
        self.groups: list[Group] = []
        self.depth = 0  # nested jumps being planned; a cycle of keys would never end
        # Client aliases per path: a key or required field must not land on one of them.
        self.reserved: dict[tuple[str, ...], set[str]] = {}

    def new_group(self, service: str, path: tuple[str, ...], parent: Group | None) -> Group:
        group = Group(next(self.ids), service, path, parent)
        self.groups.append(group)
        return group

    # -- root -----------------------------------------------------------------------------
    def plan_roots(self) -> list[Group]:
        kind = self.operation.operation
        root = self.schema.get_root_type(kind)
        if root is None:
            raise PlanningError(f"the schema has no {kind.value} type")
        roots: list[Group] = []
        by_service: dict[str, Group] = {}
        for node, wrappers in self._root_fields(self.operation.selection_set, ()):
            name = node.name.value
            if name == "__typename" or name in _INTROSPECTION:
                continue
            candidates = self.sg.resolvers(root.name, name)
            if not candidates:
                raise PlanningError(f"no subgraph resolves {root.name}.{name}")
            if kind is OperationType.MUTATION:
                # Mutations run one after another; consecutive fields of one subgraph share a fetch.
                last = roots[-1] if roots else None
                group = last if last is not None and last.service in candidates else None
                if group is None:
                    group = self.new_group(candidates[0], (), None)
                    roots.append(group)
            else:
                service = min(
                    candidates,
                    key=lambda c: (self._misses(c, root, node), c not in by_service),
                )
                group = by_service.get(service)
                if group is None:
                    group = by_service[service] = self.new_group(service, (), None)
                    roots.append(group)
            target = group.selection
            for directives in wrappers:
                target = target.fragment(None, directives).sub
            self.plan_field(group, target, root, node, (), None, entity_root=False)
        return roots

    def _misses(self, service: str, parent: GraphQLCompositeType, node: FieldNode) -> int:
        """How many of the field's direct sub-fields `service` cannot resolve (a jump each)."""
        definition = getattr(parent, "fields", {}).get(node.name.value)
        if definition is None or node.selection_set is None:
            return 0
        named = get_named_type(definition.type)
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        join = self.sg.field_join(parent.name, node.name.value, service)
        provided = provided_tree(join.provides) if join is not None and join.provides else None
        return sum(
            1
            for selection in node.selection_set.selections
            if isinstance(selection, FieldNode)
            and selection.name.value != "__typename"
            and not self._local(
                service, named.name, selection.name.value, provided, entity_root=False
            )
        )

    def _root_fields(
        self, selection_set: SelectionSetNode, wrappers: tuple[tuple[DirectiveNode, ...], ...]
    ) -> Iterable[tuple[FieldNode, tuple[tuple[DirectiveNode, ...], ...]]]:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection, wrappers
                continue
            sub, directives = self._fragment_parts(selection)
            inner = (*wrappers, directives) if directives else wrappers
            yield from self._root_fields(sub, inner)

    def _fragment_parts(
        self, selection: SelectionNode
    ) -> tuple[SelectionSetNode, tuple[DirectiveNode, ...]]:
        if isinstance(selection, FragmentSpreadNode):
            fragment = self.fragments[selection.name.value]
            return fragment.selection_set, tuple(selection.directives or ())
        assert isinstance(selection, InlineFragmentNode)
        return selection.selection_set, tuple(selection.directives or ())

    def _type_condition(self, selection: SelectionNode) -> str | None:
        if isinstance(selection, FragmentSpreadNode):
            return self.fragments[selection.name.value].type_condition.name.value
        assert isinstance(selection, InlineFragmentNode)
        return selection.type_condition.name.value if selection.type_condition else None

    # -- selections -------------------------------------------------------------------------
    def plan_set(  # noqa: PLR0917 - recursive walk state passed explicitly
        self,
        group: Group,
        target: SelSet,
        parent: GraphQLCompositeType,
        selections: Sequence[SelectionNode],
        path: tuple[str, ...],
        provided: Provided | None,
        *,
        entity_root: bool,
    ) -> set[Group]:
        """Add `selections` (on `parent`, at `path`) to `group`; return groups that deliver them."""
        self._reserve(selections, path)
        interface_object = is_abstract_type(parent) and self.sg.is_interface_object(
            parent.name, group.service
        )
        if is_abstract_type(parent) and not interface_object:
            return self._plan_abstract(
                group, target, parent, selections, path, provided, entity_root
            )
        deps: set[Group] = set()
        for selection in selections:
            if interface_object and self._needs_runtime_type(selection, parent):
                # This graph only knows the interface: ask a graph that knows the runtime type.
                deps |= self._jump(
                    group,
                    target,
                    parent,
                    selection,
                    path,
                    entity_root,
                    self._concrete_targets(parent),
                )
                continue
            if isinstance(selection, FieldNode):
                deps |= self.plan_field(
                    group, target, parent, selection, path, provided, entity_root=entity_root
                )
                continue
            condition = self._type_condition(selection)
            sub, directives = self._fragment_parts(selection)
            if condition is not None and condition != parent.name:
                condition_type = self.schema.get_type(condition)
                if not (
                    isinstance(parent, GraphQLObjectType)
                    and is_abstract_type(condition_type)
                    and self.schema.is_sub_type(condition_type, parent)  # type: ignore[arg-type]
                ):
                    continue  # an object of `parent` can never match this fragment
            inner = target.fragment(None, directives).sub if directives else target
            deps |= self.plan_set(
                group, inner, parent, sub.selections, path, provided, entity_root=entity_root
            )
        return deps

    def _reserve(self, selections: Sequence[SelectionNode], path: tuple[str, ...]) -> None:
        for selection in selections:
            if isinstance(selection, FieldNode):
                if selection.alias is not None and selection.alias.value != selection.name.value:
                    self.reserved.setdefault(path, set()).add(selection.alias.value)
            else:
                self._reserve(self._fragment_parts(selection)[0].selections, path)

    def _internal(self, selection_set: SelectionSetNode, path: tuple[str, ...]) -> SelectionSetNode:
        """A key/requires selection, aliased where the client used the field's name as an alias."""
        reserved = self.reserved.get(path)
        if not reserved:
            return selection_set
        selections: list[SelectionNode] = []
        for original in selection_set.selections:
            selection = original
            if isinstance(original, FieldNode) and original.name.value in reserved:
                selection = FieldNode(
                    alias=NameNode(value=f"{original.name.value}_internal_"),
                    name=original.name,
                    arguments=original.arguments,
                    directives=original.directives,
                    selection_set=original.selection_set,
                )
            elif isinstance(original, InlineFragmentNode):
                selection = InlineFragmentNode(
                    type_condition=original.type_condition,
                    directives=original.directives,
                    selection_set=self._internal(original.selection_set, path),
                )
            selections.append(selection)
        return SelectionSetNode(selections=tuple(selections))

    def _needs_runtime_type(self, selection: SelectionNode, parent: GraphQLCompositeType) -> bool:
        if isinstance(selection, FieldNode):
            return selection.name.value == "__typename"
        return self._type_condition(selection) not in (None, parent.name)

    def _plan_abstract(  # noqa: PLR0917 - recursive walk state passed explicitly
        self,
        group: Group,
        target: SelSet,
        parent: GraphQLCompositeType,
        selections: Sequence[SelectionNode],
        path: tuple[str, ...],
        provided: Provided | None,
        entity_root: bool,
    ) -> set[Group]:
        possible = self.sg.possible_types_in(group.service, parent)
        target.typename()
        deps: set[Group] = set()
        if self._can_keep(group.service, parent, selections, possible, provided):
            for selection in selections:
                if isinstance(selection, FieldNode):
                    deps |= self.plan_field(
                        group, target, parent, selection, path, provided, entity_root=entity_root
                    )
                    continue
                condition = self._type_condition(selection)
                sub, directives = self._fragment_parts(selection)
                if condition is None or condition == parent.name:
                    inner = target.fragment(None, directives).sub if directives else target
                    deps |= self.plan_set(
                        group,
                        inner,
                        parent,
                        sub.selections,
                        path,
                        provided,
                        entity_root=entity_root,
                    )
                    continue
                condition_type = self.schema.get_type(condition)
                for runtime in possible:
                    if condition_type is runtime or (
                        isinstance(condition_type, GraphQLInterfaceType | GraphQLUnionType)
                        and self.schema.is_sub_type(condition_type, runtime)
                    ):
                        inner = target.fragment(runtime.name, directives).sub
                        deps |= self.plan_set(
                            group,
                            inner,
                            runtime,
                            sub.selections,
                            path,
                            provided,
                            entity_root=entity_root,
                        )
            return deps
        for runtime in possible:
            inner = target.fragment(runtime.name).sub
            # A runtime type's own @requires are not in an interface entity's representation.
            deps |= self.plan_set(
                group, inner, runtime, selections, path, provided, entity_root=False
            )
        return deps

    def _can_keep(
        self,
        service: str,
        parent: GraphQLCompositeType,
        selections: Sequence[SelectionNode],
        possible: list[GraphQLObjectType],
        provided: Provided | None,
    ) -> bool:
        """Whether an abstract selection can be sent as written (every field local for every type)."""
        for selection in selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name == "__typename":
                    continue
                if not isinstance(parent, GraphQLInterfaceType):
                    return False
                if not self._local(service, parent.name, name, provided, entity_root=False):
                    return False
                if not all(
                    self._local(service, p.name, name, provided, entity_root=False)
                    for p in possible
                ):
                    return False
            elif self._type_condition(selection) in (None, parent.name):
                sub, _ = self._fragment_parts(selection)
                if not self._can_keep(service, parent, sub.selections, possible, provided):
                    return False
        return True

    def _local(
        self,
        service: str,
        type_name: str,
        field_name: str,
        provided: Provided | None,
        *,
        entity_root: bool,
    ) -> bool:
        if provided is not None and field_name in provided:
            return True
        join = self.sg.field_join(type_name, field_name, service)
        if join is None:
            return False
        if join.used_overridden:
            return False
        if join.external:
            # Key fields are always available in a graph that declares the key (fed1 marks them external).
            return any(
                field_name == s.name.value
                for key in self.sg.keys(type_name, service)
                for s in key.selection.selections
                if isinstance(s, FieldNode)
            )
        return join.requires is None or entity_root

    def plan_field(  # noqa: PLR0917 - recursive walk state passed explicitly
        self,
        group: Group,
        target: SelSet,
        parent: GraphQLCompositeType,
        node: FieldNode,
        path: tuple[str, ...],
        provided: Provided | None,
        *,
        entity_root: bool,
    ) -> set[Group]:
        name = node.name.value
        if name == "__typename":
            target.typename() if node.alias is None else target.field(node, composite=False)
            return set()
        if name in _INTROSPECTION:
            return set()
        assert isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
        definition = parent.fields.get(name)
        if definition is None:
            raise PlanningError(f"unknown field {parent.name}.{name}")
        if not self._local(group.service, parent.name, name, provided, entity_root=entity_root):
            return self._jump(group, target, parent, node, path, entity_root)
        named = get_named_type(definition.type)
        composite = is_composite_type(named)
        added = target.field(node, composite=composite)
        if not composite or node.selection_set is None or added.sub is None:
            return set()
        sub_provided = provided.get(name) if provided is not None else None
        join = self.sg.field_join(parent.name, name, group.service)
        if join is not None and join.provides is not None:
            sub_provided = provided_tree(join.provides, dict(sub_provided or {}))
        child_path = (*path, response_key(node), *("@",) * list_depth(definition.type))
        assert isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)
        return self.plan_set(
            group,
            added.sub,
            named,
            node.selection_set.selections,
            child_path,
            sub_provided,
            entity_root=False,
        )

    # -- entity jumps --------------------------------------------------------------------------
    def _targets(
        self, parent: GraphQLCompositeType, field_name: str
    ) -> list[tuple[str, GraphQLCompositeType]]:
        """(graph, entity type) pairs able to resolve the field, interface objects included."""
        found: list[tuple[str, GraphQLCompositeType]] = [
            (g, parent) for g in self.sg.resolvers(parent.name, field_name)
        ]
        for interface in getattr(parent, "interfaces", ()):
            if field_name not in interface.fields:
                continue
            for graph in self.sg.resolvers(interface.name, field_name):
                if self.sg.is_interface_object(interface.name, graph):
                    found.append((graph, interface))
        return found

    def _choose(
        self,
        group: Group,
        parent: GraphQLCompositeType,
        targets: list[tuple[str, GraphQLCompositeType]],
        path: tuple[str, ...],
        what: str,
    ) -> tuple[str, GraphQLCompositeType, Key]:
        best: tuple[tuple[int, int, int], str, GraphQLCompositeType, Key] | None = None
        for index, (candidate, entity) in enumerate(targets):
            join = self.sg.field_join(entity.name, what, candidate)
            if candidate == group.service and (join is None or join.requires is None):
                continue
            for key in self.sg.keys(entity.name, candidate):
                if not key.resolvable:
                    continue
                local_key = all(
                    self._local(group.service, parent.name, s.name.value, None, entity_root=False)
                    for s in key.selection.selections
                    if isinstance(s, FieldNode)
                )
                score = (int((candidate, path) not in group.children), int(not local_key), index)
                if best is None or score < best[0]:
                    best = (score, candidate, entity, key)
        if best is None:
            raise PlanningError(
                f"cannot reach {parent.name}.{what} from subgraph {group.service!r}: no resolvable key"
            )
        return best[1], best[2], best[3]

    def _jump(  # noqa: PLR0917 - recursive walk state passed explicitly
        self,
        group: Group,
        target: SelSet,
        parent: GraphQLCompositeType,
        node: SelectionNode,
        path: tuple[str, ...],
        entity_root: bool,
        targets: list[tuple[str, GraphQLCompositeType]] | None = None,
    ) -> set[Group]:
        """Fetch `node` from another graph through `_entities`, keyed on what `group` has."""
        self.depth += 1
        try:
            if self.depth > _MAX_JUMP_DEPTH:
                raise PlanningError(
                    f"entity jumps nest deeper than {_MAX_JUMP_DEPTH} at {'.'.join(path)}"
                )
            return self._jump_inner(group, target, parent, node, path, entity_root, targets)
        finally:
            self.depth -= 1

    def _jump_inner(  # noqa: PLR0917 - recursive walk state passed explicitly
        self,
        group: Group,
        target: SelSet,
        parent: GraphQLCompositeType,
        node: SelectionNode,
        path: tuple[str, ...],
        entity_root: bool,
        targets: list[tuple[str, GraphQLCompositeType]] | None,
    ) -> set[Group]:
        name = node.name.value if isinstance(node, FieldNode) else "__typename"
        if targets is None:
            targets = self._targets(parent, name)
        service, entity, key = self._choose(group, parent, targets, path, name)
        target.typename()
        key_selection = self._internal(key.selection, path)
        deps = self.plan_set(
            group, target, parent, key_selection.selections, path, None, entity_root=entity_root
        )
        child = group.children.get((service, path))
        if child is None:
            child = group.children[(service, path)] = self.new_group(service, path, group)
        condition = entity.name
        representation = child.requires.fragment(condition).sub
        representation.typename()
        add_selection_set(representation, key_selection)
        join = self.sg.field_join(entity.name, name, service)
        if join is not None and join.requires is not None:
            required = self._internal(join.requires, path)
            deps |= self.plan_set(
                group, target, parent, required.selections, path, None, entity_root=entity_root
            )
            add_selection_set(representation, required)
        if self.sg.is_interface_object(entity.name, service):
            child.interface_objects[entity.name] = entity.name
        child.deps |= {d for d in deps if d is not child and d is not group}
        entity_target = child.selection.fragment(condition).sub
        # Only the jumped field's own @requires went into the representation; anything else
        # inside a jumped fragment that needs requires jumps again from the child.
        delivered = self.plan_set(
            child,
            entity_target,
            entity,
            [node],
            path,
            None,
            entity_root=isinstance(node, FieldNode),
        )
        return delivered | {child}

    def _concrete_targets(
        self, interface: GraphQLCompositeType
    ) -> list[tuple[str, GraphQLCompositeType]]:
        """Graphs where an `@interfaceObject` interface is a real interface (they know the runtime type)."""
        return [
            (g, interface)
            for g in self.sg.type_graphs(interface.name)
            if not self.sg.is_interface_object(interface.name, g)
        ]

    # -- assembling the plan tree ------------------------------------------------------------------
    def fetch(self, group: Group) -> PlanNode:
        fetch = build_fetch(group, self.operation)
        return Flatten(group.path, fetch) if group.entity else fetch


class QueryPlanner:
    """Plans operations against one supergraph; cheap to call, the caller caches plans."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph

    def plan(self, document: DocumentNode, operation_name: str | None = None) -> QueryPlan:
        operation: OperationDefinitionNode | None = None
        fragments: dict[str, FragmentDefinitionNode] = {}
        for definition in document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                fragments[definition.name.value] = definition
            elif isinstance(definition, OperationDefinitionNode) and (
                operation_name is None
                or (definition.name and definition.name.value == operation_name)
            ):
                if operation is not None and operation_name is None:
                    raise GraphQLError(
                        "Must provide operation name if query contains multiple operations."
                    )
                operation = operation or definition
        if operation is None:
            raise GraphQLError(f'Unknown operation named "{operation_name}".')
        builder = _Builder(self.supergraph, operation, fragments)
        roots = builder.plan_roots()
        if operation.operation is OperationType.MUTATION:
            parts = []
            for root in roots:
                members = [g for g in builder.groups if root_of(g) is root]
                node = assemble(builder.fetch, members, [root])
                if node is not None:
                    parts.append(node)
            return QueryPlan(sequence(parts) if parts else None)
        return QueryPlan(assemble(builder.fetch, builder.groups, roots))
