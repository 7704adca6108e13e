"""Map domain errors to GraphQL `extensions.code` in one place, and mask everything else."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from subgraphs.kit.errors import DomainError
from subgraphs.kit.outage import is_outage

__all__ = ["DomainErrors", "domain_errors"]

_log = logging.getLogger("predicthealth.errors")

# Errors graphql-core raises itself (validation, coercion) carry no original error.
_OUTAGE = "The service is temporarily unavailable; try again shortly"
_KNOWN_CODES = {"GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "GRAPHQL_PARSE_FAILED"}


def _classify(error: GraphQLError, *, mask: bool) -> GraphQLError:
    original = error.original_error
    if isinstance(original, DomainError):
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            path=error.path,
            extensions=original.to_extensions(),
        )
    if original is None:
        code = (error.extensions or {}).get("code") or "GRAPHQL_VALIDATION_FAILED"
        if error.path is not None and code not in _KNOWN_CODES:
            code = "BAD_USER_INPUT"
        return GraphQLError(
            error.message,
            nodes=error.nodes,
            path=error.path,
            extensions={**(error.extensions or {}), "code": code},
        )
    if error.path is None and error.message.startswith("Variable '$"):
        # Variable coercion (before any resolver runs) carries the scalar's or enum's own
        # exception (strawberry: a KeyError for an unknown enum value): the caller's mistake.
        return GraphQLError(error.message, nodes=error.nodes, extensions={"code": "BAD_USER_INPUT"})
    if is_outage(original):
        # Not a bug: PostgreSQL or Redis is unreachable (restart, failover). Say so, briefly.
        _log.warning("backing server unavailable: %s", type(original).__name__)
        return GraphQLError(
            _OUTAGE, nodes=error.nodes, path=error.path, extensions={"code": "SERVICE_UNAVAILABLE"}
        )
    _log.error(
        "unexpected error in resolver",
        exc_info=(type(original), original, original.__traceback__),
        extra={"path": error.path},
    )
    message = "Internal server error" if mask else str(original) or type(original).__name__
    return GraphQLError(
        message, nodes=error.nodes, path=error.path, extensions={"code": "INTERNAL_SERVER_ERROR"}
    )


class DomainErrors(SchemaExtension):
    """Give every error a stable code; outside development hide unexpected errors' details."""

    mask = True

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [_classify(e, mask=self.mask) for e in errors]


def domain_errors(*, mask: bool) -> type[DomainErrors]:
    return type("DomainErrorsConfigured", (DomainErrors,), {"mask": mask})
