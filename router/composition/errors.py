"""Composition errors: Apollo-compatible error codes with human-readable messages."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CompositionError", "CompositionIssue"]


@dataclass(frozen=True, slots=True)
class CompositionIssue:
    """One composition problem; `code` is the Apollo error code (e.g. `INVALID_FIELD_SHARING`)."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class CompositionError(Exception):
    """Raised when subgraphs do not compose; carries every issue found, not only the first."""

    def __init__(self, errors: list[CompositionIssue]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors

    @property
    def codes(self) -> list[str]:
        return [e.code for e in self.errors]
