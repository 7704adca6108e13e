"""After the three subgraphs' events arrive, the admins store's hash chain still verifies, and
`systemStatistics` counts users by role through auth (analysts included)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from subgraphs.kit.cli import app as cli
from tests.audit_adoption.helpers import event_of, request_headers
from tests.directory.factories import gql
from tests.patients.helpers import as_role
from tests.support.stack import SubgraphStack

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _verify(stack: SubgraphStack) -> Any:
    return await asyncio.to_thread(
        CliRunner().invoke, cli, ["audit", "verify", "--database-url", stack.infra.database_url]
    )


async def test_chain_verifies_with_every_subgraphs_events(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    admin = await as_role(stack, http, "admin")
    sent: list[tuple[str, str]] = []
    for subgraph, query, action in (
        ("doctors", 'mutation { deactivateDoctor(id: "00000000-0000-4000-8000-000000000001") '
                    "{ id } }", "doctor.deactivate"),
        ("institutions", 'mutation { activateInstitution(id: "00000000-0000-4000-8000-000000000002")'
                         " { id } }", "institution.activate"),
        ("auth", 'mutation { unlockUser(id: "00000000-0000-4000-8000-000000000003") }',
         "auth.unlock_user"),
    ):  # fmt: skip
        request_id, headers = request_headers(admin)
        await gql(stack, http, subgraph, query, None, headers)
        sent.append((request_id, action))
    for request_id, action in sent:
        assert (await event_of(stack, http, request_id, action=action))["outcome"] == "not_found"
    result = await _verify(stack)
    assert result.exit_code == 0, result.output
    assert "audit chain intact" in result.output


async def test_system_statistics_users_by_role_come_from_auth(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    query = "{ systemStatistics { usersByRole { key count } unavailable } }"
    body = await gql(stack, http, "admins", query, None, await as_role(stack, http, "admin"))
    figures = body["data"]["systemStatistics"]
    assert figures["unavailable"] == []
    by_role = {row["key"]: row["count"] for row in figures["usersByRole"]}
    assert set(by_role) == {"admin", "institution", "doctor", "patient", "analyst"}
    counts = await gql(stack, http, "auth", "{ userCounts { byRole { role count } } }", None,
                       await as_role(stack, http, "admin"))  # fmt: skip
    assert by_role == {
        r["role"].lower(): r["count"] for r in counts["data"]["userCounts"]["byRole"]
    }
