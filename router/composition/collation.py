"""Sort keys that reproduce JavaScript's `String.prototype.localeCompare` for GraphQL names."""

from __future__ import annotations

__all__ = ["locale_key"]


def _primary(ch: str) -> tuple[int, str]:
    # ICU root collation: punctuation (`_`) < digits < letters, letters compared case-insensitively.
    if ch == "_":
        return (0, ch)
    if ch.isdigit():
        return (1, ch)
    return (2, ch.lower())


def locale_key(name: str) -> tuple[tuple[tuple[int, str], ...], tuple[int, ...]]:
    """Key ordering GraphQL names the way Apollo's printer (`localeCompare`) orders them."""
    primary = tuple(_primary(c) for c in name)
    # Tertiary level: at equal letters, lowercase sorts before uppercase.
    tertiary = tuple(1 if c.isupper() else 0 for c in name)
    return (primary, tertiary)
