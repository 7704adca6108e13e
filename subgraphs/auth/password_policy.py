"""Password policy (NIST SP 800-63B style): length 12 to 128, not a common password, no
composition rules."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from subgraphs.kit.errors import Invalid

__all__ = ["MAX_LENGTH", "MIN_LENGTH", "check_password", "common_passwords"]

MIN_LENGTH = 12
MAX_LENGTH = 128


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = files("subgraphs.auth").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def check_password(password: str, *, field: str = "password", email: str | None = None) -> None:
    """Raise Invalid(field, reason) when the password may not be used."""
    length = len(password)
    if length < MIN_LENGTH:
        raise Invalid(field, f"must be at least {MIN_LENGTH} characters")
    if length > MAX_LENGTH:
        raise Invalid(field, f"must be at most {MAX_LENGTH} characters")
    folded = password.strip().lower()
    if folded in common_passwords() or (email is not None and folded == email.strip().lower()):
        raise Invalid(field, "is too common; choose a less guessable password")
