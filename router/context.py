"""The per-request context object that flows through the router's pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import OperationDefinitionNode

from router.documents import ParsedDocument
from router.planner.plan import QueryPlan

__all__ = ["GraphQLRequest", "RequestContext"]


@dataclass(slots=True)
class GraphQLRequest:
    """A decoded GraphQL-over-HTTP request."""

    # Untrusted JSON: stages check the types before use.
    query: Any
    variables: Any = None
    operation_name: str | None = None
    extensions: dict[str, Any] | None = None
    method: str = "POST"


@dataclass(slots=True)
class RequestContext:
    """What stages read and write; a stage that sets `response` ends the pipeline early."""

    request: GraphQLRequest
    headers: dict[str, str]
    document: ParsedDocument | None = None
    operation: OperationDefinitionNode | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    plan: QueryPlan | None = None
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    extensions: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    response: dict[str, Any] | None = None
    state: dict[str, Any] = field(default_factory=dict)  # room for later stages (auth, limits, …)

    def fail(self, status: int, errors: list[dict[str, Any]]) -> None:
        self.status = status
        self.response = {"errors": errors}
