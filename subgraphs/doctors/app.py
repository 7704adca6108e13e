"""The doctors subgraph's ASGI app (port 8000)."""

from __future__ import annotations

from fastapi import FastAPI

from subgraphs.doctors.directory import FederatedInstitutions
from subgraphs.doctors.loaders import Loaders
from subgraphs.doctors.models import AuditOutbox
from subgraphs.doctors.schema import schema
from subgraphs.kit.app import SubgraphDefinition, create_subgraph_app
from subgraphs.kit.audit_trail import audit_hooks
from subgraphs.kit.logins import AuthLogins
from subgraphs.kit.service_client import ServiceClient

__all__ = ["create_app", "definition"]


async def _start(app: FastAPI) -> None:
    # One pooled client for every cross-subgraph call; tests may swap the gateways for faulty ones.
    app.state.service_client = ServiceClient(app.state.settings)
    app.state.logins = AuthLogins(app.state.service_client)
    app.state.institutions = FederatedInstitutions(app.state.service_client)


async def _stop(app: FastAPI) -> None:
    await app.state.service_client.close()


definition = SubgraphDefinition(
    name="doctors",
    schema=schema,
    make_loaders=Loaders.create,
    **audit_hooks("doctors", AuditOutbox, on_startup=_start, on_shutdown=_stop),
)


def create_app(**kwargs: object) -> FastAPI:
    return create_subgraph_app(definition, **kwargs)  # type: ignore[arg-type]
