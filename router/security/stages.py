"""The pipeline stages: authenticate (before parsing) and authorize (before planning)."""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from router.planner import QueryPlan
from router.security.authn import (
    ANONYMOUS_CALLER,
    Caller,
    InvalidToken,
    TokenVerifier,
    bearer_token,
)
from router.security.config import AuthConfig
from router.security.filtering import FilterResult, filter_operation
from router.security.rules import AccessRules

if TYPE_CHECKING:
    from router.context import RequestContext
    from router.pipeline import Router

__all__ = ["CALLER", "PLAN_DOCUMENT", "PLAN_VARIANT", "Security", "install"]

#: `ctx.state` keys: the verified caller, and the filtered document and its plan-cache variant.
CALLER = "security.caller"
PLAN_DOCUMENT = "security.plan_document"
PLAN_VARIANT = "security.plan_variant"
_UNAUTHORIZED = "Unauthorized field or type"


class Security:
    """Per-Router security state: the token verifier, the access rules and filtered operations."""

    def __init__(self, router: Router, config: AuthConfig) -> None:
        self.verifier = TokenVerifier(config)
        self.rules = AccessRules(router.supergraph.document)
        self._filtered: OrderedDict[tuple[Any, ...], FilterResult] = OrderedDict()
        self._size = router.config.plan_cache_size

    async def close(self) -> None:
        await self.verifier.close()

    def outcome_key(self, caller: Caller) -> tuple[bool, frozenset[str], frozenset[str]]:
        """Everything the directives can look at: equal keys, equal filtering of any operation."""
        return caller.authenticated, caller.scopes & self.rules.mentioned_scopes, caller.policies

    def filtered(self, router: Router, ctx: RequestContext, caller: Caller) -> FilterResult:
        assert ctx.operation is not None
        assert ctx.document is not None
        key = (ctx.request.query, ctx.request.operation_name, self.outcome_key(caller))
        result = self._filtered.get(key)
        if result is None:
            result = filter_operation(
                router.api_schema, self.rules, caller, ctx.operation, ctx.document.fragments
            )
            self._filtered[key] = result
            if len(self._filtered) > self._size:
                self._filtered.popitem(last=False)
        else:
            self._filtered.move_to_end(key)
        return result


def _security(router: Router) -> Security:
    security = router.security
    assert security is not None
    return security


async def stage_authenticate(router: Router, ctx: RequestContext) -> None:
    """Invalid, expired or revoked token → 401 UNAUTHENTICATED before anything else; none → anonymous."""
    try:
        token = bearer_token(ctx.headers.get("authorization"))
        caller = (
            ANONYMOUS_CALLER if token is None else await _security(router).verifier.verify(token)
        )
    except InvalidToken as error:
        ctx.fail(401, [{"message": str(error), "extensions": {"code": "UNAUTHENTICATED"}}])
        return
    ctx.state[CALLER] = caller


def stage_authorize(router: Router, ctx: RequestContext) -> None:
    """Drop unauthorized fields (null + UNAUTHORIZED_FIELD_OR_TYPE); plan what is left."""
    security = _security(router)
    if security.rules.empty:
        return
    caller: Caller = ctx.state.get(CALLER, ANONYMOUS_CALLER)
    result = security.filtered(router, ctx, caller)
    if not result.changed:
        return
    ctx.errors.extend(
        {
            "message": _UNAUTHORIZED,
            "path": list(path),
            "extensions": {"code": "UNAUTHORIZED_FIELD_OR_TYPE"},
        }
        for path in result.removed
    )
    if result.document is None:
        # Nothing the caller may read: answer (nulls and errors) without calling any subgraph.
        ctx.plan = QueryPlan(node=None)
        return
    ctx.state[PLAN_DOCUMENT] = result.document
    # Plans of filtered documents are cached per authorization outcome, never shared.
    ctx.state[PLAN_VARIANT] = security.outcome_key(caller)


def install(router: Router) -> Security | None:
    """Wire security into `router.stages` when `router.config.auth` is set; None otherwise."""
    config = router.config.auth
    if config is None:
        return None
    security = Security(router, config)
    names = [stage.__name__ for stage in router.stages]
    router.stages.insert(0, stage_authenticate)
    router.stages.insert(names.index("stage_plan") + 1, stage_authorize)
    return security
