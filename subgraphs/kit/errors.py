"""The domain error family and its single mapping to GraphQL `extensions.code`."""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "Conflict",
    "DomainError",
    "Forbidden",
    "Invalid",
    "NotFound",
    "ServiceUnavailable",
    "Unauthenticated",
]


class DomainError(Exception):
    """An expected failure that callers may see; anything else is masked as an internal error."""

    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions

    def to_extensions(self) -> dict[str, Any]:
        return {"code": self.code, **self.extensions}


class NotFound(DomainError):
    code = "NOT_FOUND"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class Conflict(DomainError):
    code = "CONFLICT"


class ServiceUnavailable(DomainError):
    code = "SERVICE_UNAVAILABLE"


class Invalid(DomainError):
    """Bad input; names the offending field so a form can point at it."""

    code = "BAD_USER_INPUT"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}", field=field)
        self.field = field
        self.reason = reason
