"""Helpers of the audit adoption tests: requests with their own id, and polling the audit store."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from tests.directory.factories import gql
from tests.patients.helpers import as_role
from tests.support.stack import SubgraphStack

__all__ = ["event_of", "request_headers"]

_EVENTS = """query($f: AuditEventFilter, $first: Int!) { auditEvents(filter: $f, first: $first) {
  edges { node { id seq service action outcome actorRole actorUserId sessionId requestId ip
  targetType targetIds fields details } } } }"""


def request_headers(headers: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """A fresh request id, and `headers` carrying it."""
    request_id = f"adopt-{uuid.uuid4().hex}"
    return request_id, {**(headers or {}), "x-request-id": request_id}


async def event_of(
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    request_id: str,
    *,
    action: str,
    wait: float = 15.0,
) -> dict[str, Any]:
    """The one `action` event of the request `request_id`, once the relay has delivered it."""
    admin = await as_role(stack, http, "admin")
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        body = await gql(stack, http, "admins", _EVENTS,
                         {"f": {"action": action}, "first": 100}, admin)  # fmt: skip
        assert not body.get("errors"), body
        found = [e["node"] for e in body["data"]["auditEvents"]["edges"]
                 if e["node"]["requestId"] == request_id]  # fmt: skip
        if found or asyncio.get_running_loop().time() > deadline:
            assert len(found) == 1, f"{action} of {request_id}: {found}"
            event: dict[str, Any] = found[0]
            return event
        await asyncio.sleep(0.2)
