"""The request pipeline: document cache → operation → variables → plan (cached) → execute → shape."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    execute_sync,
)
from graphql.execution.values import get_variable_values

from router.api_schema import build_api_schema
from router.config import RouterConfig
from router.context import GraphQLRequest, RequestContext
from router.documents import DocumentCache, error_dict
from router.edge import install as install_edge
from router.executor import PlanExecutor, SubgraphClient, shape_response
from router.planner import PlanningError, QueryPlan, QueryPlanner, print_plan
from router.security import install as install_security
from router.security.stages import PLAN_DOCUMENT, PLAN_VARIANT
from router.supergraph import Supergraph

__all__ = ["Router", "Stage"]

# A stage that never waits is a plain function (None): on a cold core a coroutine per stage
# costs microseconds, and most stages only read and write the context.
Stage = Callable[["Router", RequestContext], Awaitable[None] | None]


class Router:
    """Everything built once per supergraph; `handle` serves one request."""

    def __init__(self, supergraph_sdl: str, config: RouterConfig | None = None) -> None:
        self.config = config or RouterConfig()
        self.supergraph = Supergraph(supergraph_sdl)
        self.api_schema = build_api_schema(self.supergraph.document)
        self.documents = DocumentCache(self.api_schema, self.config.document_cache_size)
        self.planner = QueryPlanner(self.supergraph)
        self._plans: OrderedDict[tuple[str, str | None, Hashable], QueryPlan] = OrderedDict()
        self.client = SubgraphClient(
            self.config.max_connections_per_host,
            dedupe=self.config.dedupe_subgraph_requests,
            busy_poll=self.config.busy_poll_ms / 1000,
        )
        urls = {
            name: self.config.subgraph_urls.get(name, g.url)
            for name, g in self.supergraph.graphs.items()
        }
        self.executor = PlanExecutor(self.supergraph.schema, urls, self.client, self.config)
        self.stages: list[Stage] = [
            stage_document,
            stage_operation,
            stage_variables,
            stage_plan,
            stage_execute,
        ]
        # Authentication and authorization stages, when `config.auth` turns them on.
        self.security = install_security(self)
        # Persisted queries / trusted documents (router/edge/).
        self.edge = install_edge(self)

    async def close(self) -> None:
        await self.client.close()
        await self.edge.close()
        if self.security is not None:
            await self.security.close()

    async def handle(self, request: GraphQLRequest, headers: dict[str, str]) -> RequestContext:
        ctx = RequestContext(request=request, headers=headers)
        for stage in self.stages:
            waiting = stage(self, ctx)
            if waiting is not None:
                await waiting
            if ctx.response is not None:
                break
        return ctx

    def plan_for(
        self,
        query: str,
        document: DocumentNode,
        operation_name: str | None,
        variant: Hashable = None,
    ) -> QueryPlan:
        """The cached plan of `document`; `variant` tells apart documents rewritten from one query
        (e.g. per authorization outcome), so one caller's filtered plan never serves another."""
        key = (query, operation_name, variant)
        plan = self._plans.get(key)
        if plan is None:
            plan = self.planner.plan(document, operation_name)
            self._plans[key] = plan
            if len(self._plans) > self.config.plan_cache_size:
                self._plans.popitem(last=False)
        return plan

    def introspect(self, ctx: RequestContext, node: FieldNode) -> Any:
        """Answer one root introspection field from the API schema."""
        assert ctx.operation is not None
        assert ctx.document is not None
        operation = OperationDefinitionNode(
            operation=OperationType.QUERY,
            variable_definitions=ctx.operation.variable_definitions,
            directives=(),
            selection_set=SelectionSetNode(selections=(node,)),
        )
        document = DocumentNode(definitions=(operation, *ctx.document.fragments.values()))
        result = execute_sync(self.api_schema, document, variable_values=ctx.variables)
        key = node.alias.value if node.alias else node.name.value
        return (result.data or {}).get(key)


def _forwarded(router: Router, ctx: RequestContext) -> dict[str, str]:
    return {h: ctx.headers[h] for h in router.config.forward_headers if h in ctx.headers}


def stage_document(router: Router, ctx: RequestContext) -> None:
    query = ctx.request.query
    if not isinstance(query, str) or not query.strip():
        ctx.fail(
            400,
            [
                {
                    "message": "GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.",
                    "extensions": {"code": "BAD_REQUEST"},
                }
            ],
        )
        return
    ctx.document = router.documents.get(query)
    if ctx.document.errors:
        ctx.fail(400, list(ctx.document.errors))


def stage_operation(router: Router, ctx: RequestContext) -> None:
    assert ctx.document is not None
    chosen = ctx.document.operation(ctx.request.operation_name)
    if isinstance(chosen, str):
        ctx.fail(400, [{"message": chosen, "extensions": {"code": "INVALID_GRAPHQL"}}])
        return
    if ctx.request.method == "GET" and chosen.operation is not OperationType.QUERY:
        ctx.fail(
            405,
            [
                {
                    "message": "Can only perform a mutation operation from a POST request.",
                    "extensions": {"code": "BAD_REQUEST"},
                }
            ],
        )
        return
    if chosen.operation is OperationType.SUBSCRIPTION:
        message = "Execution of subscriptions not supported by gateway"
        ctx.fail(400, [{"message": message, "extensions": {"code": "BAD_REQUEST"}}])
        return
    ctx.operation = chosen
    del router


def stage_variables(router: Router, ctx: RequestContext) -> None:
    assert ctx.operation is not None
    raw = ctx.request.variables
    if raw is not None and not isinstance(raw, dict):
        ctx.fail(
            400,
            [{"message": "`variables` must be an object.", "extensions": {"code": "BAD_REQUEST"}}],
        )
        return
    coerced = get_variable_values(
        router.api_schema, ctx.operation.variable_definitions or (), raw or {}
    )
    if isinstance(coerced, list):
        ctx.fail(400, [error_dict(e, "BAD_USER_INPUT") for e in coerced])
        return
    ctx.variables = coerced


def stage_plan(router: Router, ctx: RequestContext) -> None:
    if ctx.plan is not None:
        return  # an earlier stage already decided (e.g. nothing the caller may read)
    assert ctx.document is not None
    assert ctx.document.document is not None
    assert ctx.request.query is not None
    try:
        ctx.plan = router.plan_for(
            ctx.request.query,
            ctx.state.get(PLAN_DOCUMENT, ctx.document.document),
            ctx.request.operation_name,
            ctx.state.get(PLAN_VARIANT),
        )
    except (PlanningError, GraphQLError) as error:
        ctx.fail(500, [{"message": str(error), "extensions": {"code": "QUERY_PLANNING_FAILED"}}])
        return
    if router.config.plan_header in ctx.headers:
        ctx.extensions["queryPlan"] = print_plan(ctx.plan)


async def stage_execute(router: Router, ctx: RequestContext) -> None:
    assert ctx.plan is not None
    assert ctx.operation is not None
    assert ctx.document is not None
    if ctx.plan.node is not None:
        # Subgraphs receive the client's variables as sent (Apollo Gateway forwards them raw).
        await router.executor.execute(
            ctx.plan.node,
            ctx.request.variables or {},
            _forwarded(router, ctx),
            ctx.data,
            ctx.errors,
        )
    shaped = shape_response(
        router.api_schema,
        ctx.operation,
        ctx.document.fragments,
        ctx.variables,
        ctx.data,
        lambda node: router.introspect(ctx, node),
    )
    response: dict[str, Any] = {}
    if ctx.errors:
        response["errors"] = ctx.errors
    response["data"] = shaped.data
    extensions = dict(ctx.extensions)
    if not ctx.errors and shaped.errors:
        # Apollo Gateway reports value-completion problems here when no fetch failed.
        extensions["valueCompletion"] = shaped.errors
    if extensions:
        response["extensions"] = extensions
    ctx.response = response
