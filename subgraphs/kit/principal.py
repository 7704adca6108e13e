"""Who is calling: the verified principal every resolver and service sees."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from starlette.requests import HTTPConnection

__all__ = ["ANONYMOUS", "Authenticator", "Principal", "Role", "scopes_for"]


class Role(StrEnum):
    ADMIN = "admin"
    INSTITUTION = "institution"
    DOCTOR = "doctor"
    PATIENT = "patient"
    ANALYST = "analyst"
    SERVICE = "service"


_ROLE_SCOPES: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {"read:directory", "read:patients", "write:all", "read:stats", "read:audit"}
    ),
    Role.INSTITUTION: frozenset({"read:directory", "read:patients", "write:own", "read:stats"}),
    Role.DOCTOR: frozenset({"read:directory", "read:patients", "write:own"}),
    Role.PATIENT: frozenset({"read:directory", "read:self"}),
    Role.ANALYST: frozenset({"read:stats"}),
    Role.SERVICE: frozenset({"service"}),
}


def scopes_for(role: Role) -> frozenset[str]:
    """Scopes are derived from the role, so a token cannot claim more than its role allows."""
    return _ROLE_SCOPES.get(role, frozenset())


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller. `profile_id` is the doctor/patient/institution/admin id the login belongs to."""

    user_id: uuid.UUID | None = None
    role: Role | None = None
    profile_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    token_id: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    #: When the presented access token expires (None for service and anonymous callers).
    expires_at: datetime | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.role is not None

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


ANONYMOUS = Principal()


class Authenticator(Protocol):
    """Turns a request's credentials into a Principal; never fails open."""

    async def authenticate(self, request: HTTPConnection) -> Principal: ...

    async def close(self) -> None: ...
