"""The introspection off switch: operations selecting `__schema` or `__type` fail validation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graphql import FieldNode, Visitor, visit

if TYPE_CHECKING:
    from graphql import DocumentNode

    from router.context import RequestContext
    from router.pipeline import Router

__all__ = ["selects_introspection", "stage_no_introspection"]

_META = frozenset({"__schema", "__type"})
_MESSAGE = (
    "GraphQL introspection is not allowed by the router, "
    "but the query contained __schema or __type."
)


class _Finder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_field(self, node: FieldNode, *_: object) -> object:
        if node.name.value in _META:
            self.found = True
            return Visitor.BREAK
        return None


def selects_introspection(document: DocumentNode) -> bool:
    """True when any field anywhere (fragments included) is `__schema` or `__type`."""
    finder = _Finder()
    visit(document, finder)
    return finder.found


def stage_no_introspection(router: Router, ctx: RequestContext) -> None:
    """Runs right after parsing/validation, before planning: same code as Apollo Server."""
    del router
    document = ctx.document.document if ctx.document is not None else None
    if document is not None and selects_introspection(document):
        ctx.fail(400, [{"message": _MESSAGE, "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}])
