"""The first edge stage: `operationName` and `extensions` must have the types the spec requires."""

from __future__ import annotations

from typing import TYPE_CHECKING

from router.context import RequestContext

if TYPE_CHECKING:
    from router.pipeline import Router

__all__ = ["stage_request_shape"]


def stage_request_shape(router: Router, ctx: RequestContext) -> None:
    del router
    request = ctx.request
    # Both come from untrusted JSON whatever the dataclass annotations say.
    name: object = request.operation_name
    extensions: object = request.extensions
    problem = None
    if name is not None and not isinstance(name, str):
        problem = "`operationName` must be a string"
    elif extensions is not None and not isinstance(extensions, dict):
        problem = "`extensions` must be an object"
    if problem is not None:
        ctx.fail(400, [{"message": problem, "extensions": {"code": "BAD_REQUEST"}}])
