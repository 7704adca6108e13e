"""The patients subgraph's ASGI app (port 8004)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from subgraphs.kit.app import SubgraphDefinition, create_subgraph_app
from subgraphs.kit.audit_trail import ReadTarget, audit_hooks
from subgraphs.kit.logins import AuthLogins
from subgraphs.kit.service_client import ServiceClient
from subgraphs.patients.directory import FederatedDoctors
from subgraphs.patients.loaders import Loaders
from subgraphs.patients.models import AuditOutbox
from subgraphs.patients.schema import schema

__all__ = ["READ_TARGETS", "create_app", "definition"]

#: Every field read on these types is patient data, recorded per request as a `patient.read`.
READ_TARGETS = {
    "Patient": ReadTarget("patient", lambda obj: obj.id),
    "EmergencyContact": ReadTarget("patient", lambda obj: obj.patient_id),
}


async def _start(app: FastAPI) -> None:
    # One pooled client for every cross-subgraph call; tests may swap the gateways for faulty ones.
    app.state.service_client = ServiceClient(app.state.settings)
    app.state.logins = AuthLogins(app.state.service_client)
    app.state.doctors = FederatedDoctors(app.state.service_client)


async def _stop(app: FastAPI) -> None:
    await app.state.service_client.close()


definition = SubgraphDefinition(
    name="patients",
    schema=schema,
    make_loaders=Loaders.create,
    **audit_hooks(
        "patients", AuditOutbox, on_startup=_start, on_shutdown=_stop, read_targets=READ_TARGETS
    ),
)


def create_app(**kwargs: Any) -> FastAPI:
    return create_subgraph_app(definition, **kwargs)
