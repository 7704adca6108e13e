"""Introspection off per process (production), while the schema object stays shared."""

from __future__ import annotations

from collections.abc import Iterator

from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

__all__ = ["IntrospectionSwitch"]


class IntrospectionSwitch(SchemaExtension):
    """Refuse `__schema`/`__type` when the request's settings turn introspection off.

    A schema is built once per subgraph module and shared by every app made from it (tests run
    development and production apps side by side), so the switch reads the request's settings
    instead of being fixed into the schema. `_service { sdl }` is a plain field and still answers.
    """

    def on_operation(self) -> Iterator[None]:
        settings = getattr(self.execution_context.context, "settings", None)
        if settings is not None and not settings.introspection_enabled:
            rules = self.execution_context.validation_rules
            self.execution_context.validation_rules = (*rules, NoSchemaIntrospectionCustomRule)
        yield
