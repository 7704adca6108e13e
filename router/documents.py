"""Parse and validate each distinct document once (keyed by its text), like a persisted-query cache."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
    validate,
)

__all__ = ["DocumentCache", "ParsedDocument", "error_dict"]


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """A parsed document and its validation verdict (`errors` set means it must not run)."""

    document: DocumentNode | None
    errors: tuple[dict[str, Any], ...]
    fragments: dict[str, FragmentDefinitionNode]

    def operation(self, name: str | None) -> OperationDefinitionNode | str:
        """The operation to run, or the error message when it cannot be chosen."""
        assert self.document is not None
        operations = [
            d for d in self.document.definitions if isinstance(d, OperationDefinitionNode)
        ]
        if name:
            for operation in operations:
                if operation.name is not None and operation.name.value == name:
                    return operation
            return f'Unknown operation named "{name}".'
        if len(operations) == 1:
            return operations[0]
        return "Must provide operation name if query contains multiple operations."


def error_dict(error: GraphQLError, code: str) -> dict[str, Any]:
    """A client-facing error with Apollo Server's `extensions.code`."""
    # graphql-core quotes names with ' where graphql-js (Apollo) uses "; answer like Apollo.
    shaped: dict[str, Any] = {"message": error.message.replace("'", '"')}
    if error.locations:
        shaped["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        shaped["path"] = list(error.path)
    shaped["extensions"] = {**(error.extensions or {}), "code": code}
    return shaped


class DocumentCache:
    """An LRU of parsed + validated documents against the API schema."""

    def __init__(self, schema: GraphQLSchema, size: int = 1024) -> None:
        self.schema = schema
        self.size = size
        self._entries: OrderedDict[str, ParsedDocument] = OrderedDict()

    def get(self, query: str) -> ParsedDocument:
        entry = self._entries.get(query)
        if entry is not None:
            self._entries.move_to_end(query)
            return entry
        entry = self._load(query)
        self._entries[query] = entry
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return entry

    def _load(self, query: str) -> ParsedDocument:
        try:
            document = parse(query)
        except GraphQLError as error:
            return ParsedDocument(None, (error_dict(error, "GRAPHQL_PARSE_FAILED"),), {})
        errors = validate(self.schema, document)
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        return ParsedDocument(
            document, tuple(error_dict(e, "GRAPHQL_VALIDATION_FAILED") for e in errors), fragments
        )
