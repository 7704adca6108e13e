"""The audit trail: complete read/write records, outbox delivery across an admins outage,
idempotent appends, the append-only table, and `predicthealth audit verify`."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from subgraphs.kit.app import create_subgraph_app
from subgraphs.kit.cli import app as cli
from subgraphs.kit.registry import load_definition
from tests.directory.factories import gql
from tests.patients.conftest import scalar
from tests.patients.helpers import (
    as_role,
    code_of,
    create_patient,
    patients_gql,
    service,
    wait_for_events,
)
from tests.support.stack import SubgraphStack

pytestmark = pytest.mark.asyncio(loop_scope="session")

LIST = "query($n: Int!) { patients(first: $n) { edges { node { id firstName dateOfBirth } } } }"


async def test_reading_n_patients_records_them_all(stack: SubgraphStack,
                                                   http: httpx.AsyncClient) -> None:  # fmt: skip
    request_id = f"audit-{uuid.uuid4().hex}"
    headers = {**await as_role(stack, http, "doctor"), "x-request-id": request_id}
    body = await patients_gql(stack, http, LIST, {"n": 7}, headers)
    ids = sorted(e["node"]["id"] for e in body["data"]["patients"]["edges"])
    assert len(ids) == 7
    events = await wait_for_events(stack, http, {"action": "patient.read"},
                                   until=lambda es: any(e["requestId"] == request_id for e in es))  # fmt: skip
    (event,) = [e for e in events if e["requestId"] == request_id]
    assert sorted(event["targetIds"]) == ids
    assert event["fields"] == ["Patient.dateOfBirth", "Patient.firstName", "Patient.id"]
    assert event["actorRole"] == "doctor"
    assert event["actorUserId"]
    assert event["sessionId"]
    assert event["ip"] == "127.0.0.1"
    assert event["outcome"] == "success"
    assert event["service"] == "patients"


async def test_nested_reads_are_recorded(stack: SubgraphStack, http: httpx.AsyncClient,
                                         demo: dict[str, str]) -> None:  # fmt: skip
    request_id = f"audit-{uuid.uuid4().hex}"
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Doctor {
      patients(first: 3) { edges { node { id lastName emergencyContacts { phone } } } } } } }"""
    reps = [{"__typename": "Doctor", "id": demo["doctor"]}]
    headers = {**await as_role(stack, http, "admin"), "x-request-id": request_id}
    body = await patients_gql(stack, http, query, {"r": reps}, headers)
    ids = sorted(e["node"]["id"] for e in body["data"]["_entities"][0]["patients"]["edges"])
    events = await wait_for_events(stack, http, {"action": "patient.read"},
                                   until=lambda es: any(e["requestId"] == request_id for e in es))  # fmt: skip
    (event,) = [e for e in events if e["requestId"] == request_id]
    assert set(ids) <= set(event["targetIds"])
    assert "Patient.lastName" in event["fields"]
    assert "EmergencyContact.phone" in event["fields"] or not any(
        e["node"]["emergencyContacts"] for e in body["data"]["_entities"][0]["patients"]["edges"]
    )


async def test_writes_and_refusals_are_recorded(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    target = await create_patient(stack, http, await as_role(stack, http, "doctor"))
    query = (
        'mutation($id: ID!) { updatePatient(id: $id, input: {phone: "+52 1 555 000 1111"}) { id } }'
    )
    await patients_gql(
        stack, http, query, {"id": target["id"]}, await as_role(stack, http, "doctor")
    )
    refused = await patients_gql(stack, http, query, {"id": target["id"]},
                                 await as_role(stack, http, "patient"))  # fmt: skip
    assert code_of(refused) == "NOT_FOUND"

    def done(events: list[dict[str, Any]]) -> bool:
        return {("patient.create", "success"), ("patient.update", "success"),
                ("patient.update", "not_found")} <= {(e["action"], e["outcome"]) for e in events}  # fmt: skip

    events = await wait_for_events(stack, http, {"targetId": target["id"]}, until=done)
    assert done(events), events
    update = next(
        e for e in events if e["action"] == "patient.update" and e["outcome"] == "success"
    )
    assert update["fields"] == ["phone"]


async def test_mutations_without_their_own_event_are_recorded(stack: SubgraphStack,
                                                              http: httpx.AsyncClient) -> None:  # fmt: skip
    body = await gql(stack, http, "admins", "mutation { registerInstitution(input: {name: \"x\", "
                     "institutionType: \"HOSPITAL\", contactEmail: \"bad\", password: \"p\", "
                     "licenseNumber: \"1\"}) { id } }", None, await as_role(stack, http, "doctor"))  # fmt: skip
    assert code_of(body) == "FORBIDDEN"
    events = await wait_for_events(stack, http, {"action": "mutation.registerInstitution"},
                                   until=lambda es: any(e["outcome"] == "denied" for e in es))  # fmt: skip
    assert any(e["actorRole"] == "doctor" and e["outcome"] == "denied" for e in events)


async def test_appends_are_idempotent(stack: SubgraphStack, http: httpx.AsyncClient) -> None:
    query = "mutation($e: [AuditEventInput!]!) { appendAuditEvents(events: $e) { appended duplicates } }"
    event = {"id": str(uuid.uuid4()), "occurredAt": "2026-02-28T23:59:59.123456-06:00",
             "service": "tests", "action": "tests.replay", "outcome": "success",
             "details": {"attempt": 1}}  # fmt: skip
    first = await gql(stack, http, "admins", query, {"e": [event, event]}, service(stack))
    assert first["data"]["appendAuditEvents"] == {"appended": 1, "duplicates": 1}
    again = await gql(stack, http, "admins", query, {"e": [event]}, service(stack))
    assert again["data"]["appendAuditEvents"] == {"appended": 0, "duplicates": 1}


async def _verify(stack: SubgraphStack) -> Any:
    return await asyncio.to_thread(
        CliRunner().invoke, cli, ["audit", "verify", "--database-url", stack.infra.database_url]
    )


async def test_log_is_append_only_and_verify_finds_an_edit(stack: SubgraphStack, db: AsyncEngine,
                                                           http: httpx.AsyncClient) -> None:  # fmt: skip
    await create_patient(stack, http)  # at least one event
    await wait_for_events(stack, http, {}, until=bool)
    result = await _verify(stack)
    assert result.exit_code == 0, result.output
    seq = await scalar(db, "SELECT max(seq) - 1 FROM admins.audit_events")
    with pytest.raises(Exception, match="append-only"):
        async with db.begin() as conn:
            await conn.execute(text("UPDATE admins.audit_events SET action = 'x' WHERE seq = :s"),
                               {"s": seq})  # fmt: skip
    original = await scalar(db, "SELECT action FROM admins.audit_events WHERE seq = :s", s=seq)
    # A superuser with triggers off: the tampering the hash chain exists to expose.
    async with db.begin() as conn:
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        await conn.execute(text("UPDATE admins.audit_events SET action = 'tampered' WHERE seq = :s"),
                           {"s": seq})  # fmt: skip
    try:
        result = await _verify(stack)
        assert result.exit_code == 1
        assert f"seq {seq}" in result.output
    finally:
        async with db.begin() as conn:
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
            await conn.execute(text("UPDATE admins.audit_events SET action = :a WHERE seq = :s"),
                               {"a": original, "s": seq})  # fmt: skip
    assert (await _verify(stack)).exit_code == 0


async def test_outbox_delivers_after_admins_outage(stack: SubgraphStack, http: httpx.AsyncClient,
                                                  db: AsyncEngine) -> None:  # fmt: skip
    port = stack.ports["admins"]
    (server,) = [s for s in stack.servers.servers if s.config.port == port]
    await asyncio.to_thread(stack.servers.stop, server)
    try:
        headers = await as_role(stack, http, "doctor")
        created = [await create_patient(stack, http, headers) for _ in range(3)]
        ids = [c["id"] for c in created]
        await asyncio.sleep(1.0)  # the relay tries, fails, and keeps the rows
        pending = await scalar(
            db, "SELECT count(*) FROM patients.audit_outbox WHERE delivered_at IS NULL "
            "AND target_ids ?| CAST(:ids AS text[])", ids=ids,
        )  # fmt: skip
        assert pending >= 3
    finally:
        fresh = create_subgraph_app(load_definition("admins"), settings=stack.settings)
        stack.servers.serve(fresh, port)
        await asyncio.to_thread(stack.servers.wait_started)
    relay = stack.apps["patients"].state.audit.relay
    stack.servers.loop.call_soon_threadsafe(relay.wake)

    def delivered(events: list[dict[str, Any]]) -> bool:
        return {
            i for e in events if e["action"] == "patient.create" for i in e["targetIds"]
        } >= set(ids)

    events = await wait_for_events(
        stack, http, {"action": "patient.create"}, until=delivered, wait=20
    )
    assert delivered(events)
    assert (await _verify(stack)).exit_code == 0


async def test_reads_of_records_not_yours_are_recorded(stack: SubgraphStack,
                                                       http: httpx.AsyncClient) -> None:  # fmt: skip
    target = await create_patient(stack, http, await as_role(stack, http, "doctor"))
    request_id = f"audit-{uuid.uuid4().hex}"
    headers = {**await as_role(stack, http, "patient"), "x-request-id": request_id}
    body = await patients_gql(stack, http, "query($id: ID!) { patient(id: $id) { id } }",
                              {"id": target["id"]}, headers)  # fmt: skip
    assert body["data"]["patient"] is None
    events = await wait_for_events(stack, http, {"targetId": target["id"], "outcome": "not_found"},
                                   until=lambda es: any(e["requestId"] == request_id for e in es))  # fmt: skip
    (event,) = [e for e in events if e["requestId"] == request_id]
    assert event["action"] == "patient.read"
    assert event["actorRole"] == "patient"
