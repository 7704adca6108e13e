"""What a query asks of a field's result: lets a resolver skip work nobody will see."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info
from strawberry.types.nodes import SelectedField

__all__ = ["asks_for"]


def asks_for(info: Info[Any, Any], name: str) -> bool:
    """Whether the query selects `name` on the current field's result (through fragments too)."""
    pending: list[Any] = [s for field in info.selected_fields for s in field.selections]
    while pending:
        selection = pending.pop()
        if isinstance(selection, SelectedField):
            if selection.name == name:
                return True
        else:  # a fragment spread or an inline fragment: look inside
            pending.extend(selection.selections)
    return False
