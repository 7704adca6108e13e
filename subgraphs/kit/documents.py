"""Parse and validate each distinct operation text once per process, not once per request.

A subgraph mostly serves the router, which sends the same few documents over and over; parsing
and validating them again was ~15 % of a subgraph's CPU per request. Validity depends only on
the schema, the document and the rules (the rules differ when introspection is off), so a
document that passed with the same rules passes again and is reused as is (graphql-core never
changes an AST while executing it). Documents that fail are not remembered: an error answer
costs the full check each time, and invalid texts cannot crowd out the useful entries.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLSchema
from strawberry.extensions import SchemaExtension

__all__ = ["MAX_CACHED_CHARS", "MAX_DOCUMENTS", "DocumentCache"]

#: Distinct (schema, text, rules) entries kept; least recently used go first.
MAX_DOCUMENTS = 512
#: Longer texts (large inline literals) are parsed every time: the cache holds operations.
MAX_CACHED_CHARS = 20_000

_Key = tuple[GraphQLSchema, str, tuple[Any, ...]]
_valid: OrderedDict[_Key, DocumentNode] = OrderedDict()


class DocumentCache(SchemaExtension):
    """Reuse the parsed document of an operation text already validated with the same rules."""

    _key: _Key | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if context.graphql_document is None and query and len(query) <= MAX_CACHED_CHARS:
            # One process may serve several schemas (tests): the schema is part of the key.
            self._key = (context.schema._schema, query, tuple(context.validation_rules))
            document = _valid.get(self._key)
            if document is not None:
                _valid.move_to_end(self._key)
                context.graphql_document = document
                context.pre_execution_errors = []  # validated before: strawberry skips it
        yield

    def on_validate(self) -> Iterator[None]:
        yield
        context = self.execution_context
        key, document = self._key, context.graphql_document
        if key is None or document is None or context.pre_execution_errors:
            return
        if key not in _valid:
            _valid[key] = document
            if len(_valid) > MAX_DOCUMENTS:
                _valid.popitem(last=False)
