"""End-to-end: a doctor creates a patient, reads it, and the audit trail holds both events."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from subgraphs.kit.seeding import DEMO_LOGINS
from tests.directory.factories import gql
from tests.support.stack import SubgraphStack
from tests.support.tokens import TEST_PASSWORD, auth_headers

pytestmark = pytest.mark.asyncio(loop_scope="session")

CREATE = """mutation($input: CreatePatientInput!) { createPatient(input: $input) {
  id firstName age validationStatus doctor { id } institution { id } } }"""
EVENTS = """query($f: AuditEventFilter) { auditEvents(filter: $f, first: 50) {
  edges { node { action outcome actorRole targetIds fields service } } } }"""


async def test_create_read_and_audit(
    stack: SubgraphStack, http: httpx.AsyncClient, demo: dict[str, str]
) -> None:
    doctor = await auth_headers(stack, http, role="doctor", email=DEMO_LOGINS["doctor"])
    tag = uuid.uuid4().hex[:8]
    body = await gql(stack, http, "patients", CREATE, {"input": {
        "firstName": "Eva", "lastName": f"Smoke {tag}", "email": f"p-{tag}@tests.predicthealth.dev",
        "password": TEST_PASSWORD, "dateOfBirth": "1990-05-01", "gender": "FEMALE"}}, doctor)  # fmt: skip
    assert not body.get("errors"), body
    created = body["data"]["createPatient"]
    assert created["doctor"]["id"] == demo["doctor"]
    assert created["institution"]["id"] == demo["institution"]
    admin = await auth_headers(stack, http, role="admin", email=DEMO_LOGINS["admin"])
    for _ in range(50):
        events = await gql(stack, http, "admins", EVENTS, {"f": {"targetId": created["id"]}}, admin)
        assert not events.get("errors"), events
        actions = {e["node"]["action"] for e in events["data"]["auditEvents"]["edges"]}
        if {"patient.create", "patient.read"} <= actions:
            break
        await asyncio.sleep(0.2)
    assert {"patient.create", "patient.read"} <= actions, actions
