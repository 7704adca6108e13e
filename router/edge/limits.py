"""Limits stages: lexical tokens (before parsing) and depth/aliases/root fields/cost (before
planning), each with its own error code, so nothing expensive reaches a subgraph."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Source,
    TokenKind,
    VariableNode,
    get_named_type,
)
from graphql.language.lexer import Lexer

from router.context import RequestContext
from router.edge.limits_config import LimitsConfig

if TYPE_CHECKING:
    from router.pipeline import Router

__all__ = ["Limits", "OperationMeasure", "count_tokens", "expanded_fields", "measure"]

_SLICING = ("first", "last", "limit", "pageSize")
_MUTATION_COST = 10
_TOKEN_CACHE = 1024


def count_tokens(query: str, stop_after: int) -> int:
    """Lexical tokens of `query`, counting no further than `stop_after` + 1 (cheap on abuse)."""
    lexer = Lexer(Source(query))
    count = 0
    try:
        while lexer.advance().kind is not TokenKind.EOF:
            count += 1
            if count > stop_after:
                break
    except GraphQLError:
        pass  # the document stage reports syntax errors properly
    return count


@dataclass(frozen=True, slots=True)
class OperationMeasure:
    depth: int
    aliases: int
    root_fields: int
    cost: float
    expanded_fields: int = 0


class _Measurer:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        default_list_size: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.default_list_size = default_list_size
        # Fragment results are memoised: a fragment spread many times is measured once.
        self._memo: dict[tuple[str, str], tuple[int, int, float]] = {}

    def selection(
        self, parent: GraphQLNamedType, selections: SelectionSetNode
    ) -> tuple[int, int, float]:
        depth, aliases, cost = 0, 0, 0.0
        for node in selections.selections:
            if isinstance(node, FieldNode):
                d, a, c = self.field(parent, node)
                depth, aliases, cost = max(depth, d), aliases + a, cost + c
            elif isinstance(node, InlineFragmentNode):
                condition = (
                    self.schema.get_type(node.type_condition.name.value)
                    if node.type_condition
                    else parent
                )
                d, a, c = self.selection(condition or parent, node.selection_set)
                depth, aliases, cost = max(depth, d), aliases + a, cost + c
            elif isinstance(node, FragmentSpreadNode):
                d, a, c = self.fragment(node.name.value)
                depth, aliases, cost = max(depth, d), aliases + a, cost + c
        return depth, aliases, cost

    def fragment(self, name: str) -> tuple[int, int, float]:
        definition = self.fragments.get(name)
        if definition is None:
            return 0, 0, 0.0
        key = (name, definition.type_condition.name.value)
        if key not in self._memo:
            self._memo[key] = (0, 0, 0.0)  # cycle guard (validation forbids cycles anyway)
            parent = self.schema.get_type(definition.type_condition.name.value)
            if parent is not None:
                self._memo[key] = self.selection(parent, definition.selection_set)
        return self._memo[key]

    def field(self, parent: GraphQLNamedType, node: FieldNode) -> tuple[int, int, float]:
        aliases = 1 if node.alias is not None else 0
        fields = getattr(parent, "fields", None)
        definition: GraphQLField | None = fields.get(node.name.value) if fields else None
        if definition is None:  # __typename and introspection
            return 1, aliases, 0.0
        named = get_named_type(definition.type)
        is_object = not hasattr(named, "serialize")
        weight = _directive_int(definition, "cost", "weight")
        own = float(weight if weight is not None else (1 if is_object else 0))
        if node.selection_set is None:
            return 1, aliases, own
        depth, inner_aliases, inner_cost = self.selection(named, node.selection_set)
        multiplier = self.list_size(definition, node) if _is_list(definition.type) else 1
        # Every element of a list costs its own weight plus its selection (Apollo's model).
        return depth + 1, aliases + inner_aliases, multiplier * (own + inner_cost)

    def list_size(self, definition: GraphQLField, node: FieldNode) -> int:
        assumed = _directive_int(definition, "listSize", "assumedSize")
        for argument in node.arguments:
            if argument.name.value in _SLICING:
                value = argument.value
                if isinstance(value, IntValueNode):
                    return int(value.value)
                if isinstance(value, VariableNode):
                    given = self.variables.get(value.name.value)
                    if isinstance(given, int):
                        return given
        for name in _SLICING:
            arg = definition.args.get(name)
            if arg is not None and isinstance(arg.default_value, int):
                return arg.default_value
        return assumed if assumed is not None else self.default_list_size


def _is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _directive_int(definition: GraphQLField, directive: str, argument: str) -> int | None:
    """`@cost(weight:)` / `@listSize(assumedSize:)` on the field in the supergraph SDL."""
    node = definition.ast_node
    for applied in node.directives if node is not None else ():
        if applied.name.value in (directive, f"federation__{directive}"):
            for arg in applied.arguments:
                if arg.name.value == argument and isinstance(arg.value, IntValueNode):
                    return int(arg.value.value)
    return None


def expanded_fields(
    selections: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    memo: dict[str, int] | None = None,
) -> int:
    """How many fields the selection has with every fragment spread expanded in place (each
    fragment counted once, then reused: linear in the document, however large the result)."""
    memo = {} if memo is None else memo
    total = 0
    for node in selections.selections:
        if isinstance(node, FieldNode):
            total += 1
            if node.selection_set is not None:
                total += expanded_fields(node.selection_set, fragments, memo)
        elif isinstance(node, InlineFragmentNode):
            total += expanded_fields(node.selection_set, fragments, memo)
        elif isinstance(node, FragmentSpreadNode):
            name = node.name.value
            if name not in memo:
                memo[name] = 0  # cycle guard (validation forbids cycles anyway)
                definition = fragments.get(name)
                if definition is not None:
                    memo[name] = expanded_fields(definition.selection_set, fragments, memo)
            total += memo[name]
    return total


def measure(
    schema: GraphQLSchema,
    operation_type: OperationType,
    selections: SelectionSetNode,
    *,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    default_list_size: int,
) -> OperationMeasure:
    root = schema.get_root_type(operation_type)
    assert isinstance(root, GraphQLObjectType)
    measurer = _Measurer(schema, fragments, variables, default_list_size)
    depth, aliases, cost = measurer.selection(root, selections)
    root_fields = sum(1 for s in selections.selections if isinstance(s, FieldNode))
    if operation_type is OperationType.MUTATION:
        cost += _MUTATION_COST * root_fields
    fields = expanded_fields(selections, fragments)
    return OperationMeasure(depth, aliases, root_fields, cost, fields)


def _reject(ctx: RequestContext, message: str, code: str) -> None:
    ctx.fail(400, [{"message": message, "extensions": {"code": code}}])


@dataclass
class Limits:
    """The two limit stages, bound to a config and the supergraph's schema (for `@cost`)."""

    config: LimitsConfig
    schema: GraphQLSchema
    # Token counts per query text: lexing costs ~0.2-0.4 ms per request for a typical query.
    _tokens: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _measures: dict[tuple[int, bytes], tuple[OperationDefinitionNode, OperationMeasure]] = field(
        default_factory=dict, init=False, repr=False
    )

    def stage_tokens(self, router: Router, ctx: RequestContext) -> None:
        del router
        limit = self.config.max_tokens
        query = ctx.request.query
        if not limit or not isinstance(query, str):
            return
        count = self._tokens.get(query)
        if count is None:
            count = count_tokens(query, limit)
            if len(self._tokens) >= _TOKEN_CACHE:
                self._tokens.clear()
            self._tokens[query] = count
        if count > limit:
            _reject(ctx, f"Document exceeds the limit of {limit} tokens", "MAX_TOKENS_EXCEEDED")

    def stage_operation_limits(self, router: Router, ctx: RequestContext) -> None:
        del router
        assert ctx.operation is not None
        assert ctx.document is not None
        c = self.config
        # Per operation (the document cache hands out the same nodes for the same text) and
        # variable values: walking the operation cost ~0.1 ms per request for a small query.
        try:
            key = (id(ctx.operation), orjson.dumps(ctx.variables, option=orjson.OPT_SORT_KEYS))
        except TypeError:  # a coerced value orjson cannot write: measured, not cached
            key = (id(ctx.operation), b"\x00")
            self._measures.pop(key, None)
        cached = self._measures.get(key)
        if cached is not None and cached[0] is ctx.operation:
            m = cached[1]
        else:
            m = measure(
                self.schema,
                ctx.operation.operation,
                ctx.operation.selection_set,
                fragments=dict(ctx.document.fragments),
                variables=ctx.variables,
                default_list_size=c.default_list_size,
            )
            if len(self._measures) >= _TOKEN_CACHE:
                self._measures.clear()
            self._measures[key] = (ctx.operation, m)  # the entry keeps the id from reuse
        if c.max_depth and m.depth > c.max_depth:
            _reject(ctx, f"Operation depth {m.depth} exceeds {c.max_depth}", "MAX_DEPTH_EXCEEDED")
        elif c.max_aliases and m.aliases > c.max_aliases:
            message = f"Operation uses {m.aliases} aliases, more than {c.max_aliases}"
            _reject(ctx, message, "MAX_ALIASES_EXCEEDED")
        elif c.max_root_fields and m.root_fields > c.max_root_fields:
            message = (
                f"Operation selects {m.root_fields} root fields, more than {c.max_root_fields}"
            )
            _reject(ctx, message, "MAX_ROOT_FIELDS_EXCEEDED")
        elif c.max_expanded_fields and m.expanded_fields > c.max_expanded_fields:
            message = (
                f"Operation selects {m.expanded_fields} fields once its fragments are expanded, "
                f"more than {c.max_expanded_fields}"
            )
            _reject(ctx, message, "MAX_FIELDS_EXCEEDED")
        elif c.max_cost and m.cost > c.max_cost:
            message = f"Estimated cost {m.cost:g} exceeds the limit of {c.max_cost}"
            _reject(ctx, message, "COST_ESTIMATED_TOO_EXPENSIVE")
        else:
            ctx.state["edge.cost"] = m.cost
