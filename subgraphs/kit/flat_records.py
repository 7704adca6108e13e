"""Long lists of flat records completed in one loop, not one resolver call per field.

graphql-core completes every field of every list item on its own: resolve info, resolver,
middleware (our extensions' `resolve` hooks), leaf serialization — about 8 µs a field. For
`patientStatistics.byDoctor` (20,000 `{ key count }`) that is 40,000 field completions, ~300 ms
before a byte is written. A type declared `@flat_record` promises that its fields are plain
attributes of leaf type (no resolvers, arguments, permissions, nor reads worth auditing), so a
list of it can be built directly: per item, each selected field's attribute, serialized by its
scalar or enum. The selection is collected the usual way (fragments, aliases, `@skip`/`@include`,
`__typename`). Anything else — a field that is not plain, a null where the schema says non-null,
a value the scalar refuses — falls back to graphql-core's own completion, errors included.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable
from operator import attrgetter
from typing import Any, TypeVar

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    is_leaf_type,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

__all__ = ["FlatRecordExecutionContext", "flat_record"]

T = TypeVar("T", bound=type)

_FLAT: set[type] = set()
_DEFINITION = "strawberry-definition"


def flat_record(cls: T) -> T:
    """Mark a Strawberry type (decorate above `@strawberry.type`) as a flat record."""
    _FLAT.add(cls)
    return cls


class _NotFlat(Exception):
    """This list cannot take the fast path: complete it the usual way."""


#: (response key, field getter or None for __typename, serialize, nullable)
_Column = tuple[str, Callable[[Any], Any] | None, Callable[[Any], Any], bool]


def _is_flat(item_type: GraphQLObjectType) -> bool:
    definition = (item_type.extensions or {}).get(_DEFINITION)
    return getattr(definition, "origin", None) in _FLAT and item_type.is_type_of is None


def _attribute_of(field: GraphQLField) -> Callable[[Any], Any] | None:
    """The attribute a plain Strawberry field reads (what its resolver would do), else None."""
    definition = (field.extensions or {}).get(_DEFINITION)
    if not getattr(field.resolve, "_is_default", False) or definition is None:
        return None
    if definition.base_resolver is not None or definition.default_resolver is not getattr:
        return None
    return attrgetter(definition.python_name)


class FlatRecordExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with lists of `@flat_record` types built in one loop."""

    def _columns(
        self, item_type: GraphQLObjectType, field_nodes: list[FieldNode]
    ) -> list[_Column] | None:
        columns: list[_Column] = []
        for key, nodes in self.collect_subfields(item_type, field_nodes).items():
            name = nodes[0].name.value
            if name == "__typename":
                columns.append((key, None, str, False))
                continue
            field = item_type.fields.get(name)
            get = None if field is None or field.args else _attribute_of(field)
            if field is None or get is None:
                return None
            leaf: Any = field.type
            nullable = not isinstance(leaf, GraphQLNonNull)
            leaf = leaf if nullable else leaf.of_type
            if not is_leaf_type(leaf):
                return None
            columns.append((key, get, leaf.serialize, nullable))
        return columns

    @staticmethod
    def _record(item: Any, type_name: str, columns: list[_Column]) -> dict[str, Any]:
        if item is None:
            raise _NotFlat
        record: dict[str, Any] = {}
        try:
            for key, get, serialize, nullable in columns:
                value = type_name if get is None else get(item)
                if value is None and not nullable:
                    raise _NotFlat
                record[key] = None if value is None else serialize(value)
        except Exception as exc:
            raise _NotFlat from exc
        return record

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        path: Path,
        result: AsyncIterable[Any] | Iterable[Any],
    ) -> Any:
        item_type: Any = return_type.of_type
        items_nullable = not isinstance(item_type, GraphQLNonNull)
        item_type = item_type if items_nullable else item_type.of_type
        if isinstance(item_type, GraphQLObjectType) and isinstance(result, list | tuple):
            columns = self._columns(item_type, field_nodes) if _is_flat(item_type) else None
            if columns is not None:
                name = item_type.name
                try:
                    return [
                        None if item is None and items_nullable
                        else self._record(item, name, columns)
                        for item in result
                    ]  # fmt: skip
                except _NotFlat:
                    pass  # the usual completion reports what is wrong, where
        return super().complete_list_value(return_type, field_nodes, info, path, result)
