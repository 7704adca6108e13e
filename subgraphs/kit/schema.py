"""Build a subgraph's federated Strawberry schema with the kit's error handling."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry.federation

from subgraphs.kit.audit_trail import AuditOperations
from subgraphs.kit.documents import DocumentCache
from subgraphs.kit.flat_records import FlatRecordExecutionContext
from subgraphs.kit.graphql_errors import DomainErrors
from subgraphs.kit.introspection import IntrospectionSwitch

__all__ = ["SubgraphSchema", "build_schema"]


class SubgraphSchema(strawberry.federation.Schema):
    """Errors are logged once, by `DomainErrors`, and only the unexpected ones."""

    def process_errors(self, errors: Any, execution_context: Any = None) -> None:
        return None

    def get_extensions(self, sync: bool = False) -> list[Any]:
        found = super().get_extensions(sync)
        # Synchronous execution only prints the SDL; the audit recorder needs an event loop.
        return [e for e in found if not isinstance(e, AuditOperations)] if sync else found


def build_schema(
    *, query: type, mutation: type | None = None, types: Iterable[type] = ()
) -> strawberry.federation.Schema:
    # The audit extension is inert until the app installs a trail (subgraphs.kit.audit_trail).
    # IntrospectionSwitch first: it chooses the validation rules the document cache keys on.
    extensions: list[Any] = [IntrospectionSwitch, DocumentCache, DomainErrors, AuditOperations]
    return SubgraphSchema(
        query=query,
        mutation=mutation,
        types=list(types),
        extensions=extensions,
        # Lists of @flat_record types (statistics groups) skip per-field resolution.
        execution_context_class=FlatRecordExecutionContext,
    )
