"""The admins subgraph's ASGI app (port 8006)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI

from subgraphs.admins import audit_store
from subgraphs.admins.loaders import Loaders
from subgraphs.admins.models import AuditOutbox
from subgraphs.admins.schema import schema
from subgraphs.kit.app import SubgraphDefinition, create_subgraph_app
from subgraphs.kit.audit import AuditEvent
from subgraphs.kit.audit_relay import Deliver
from subgraphs.kit.audit_trail import audit_hooks
from subgraphs.kit.logins import AuthLogins
from subgraphs.kit.service_client import ServiceClient

__all__ = ["create_app", "definition"]


async def _start(app: FastAPI) -> None:
    app.state.service_client = ServiceClient(app.state.settings)
    app.state.logins = AuthLogins(app.state.service_client)


async def _stop(app: FastAPI) -> None:
    await app.state.service_client.close()


def _local_delivery(app: FastAPI) -> Deliver:
    """The admins subgraph appends its own events straight to the chain (same database)."""

    async def deliver(events: Sequence[AuditEvent]) -> None:
        async with app.state.sessions() as session, session.begin():
            await audit_store.append(session, events)

    return deliver


definition = SubgraphDefinition(
    name="admins",
    schema=schema,
    make_loaders=Loaders.create,
    **audit_hooks(
        "admins", AuditOutbox, on_startup=_start, on_shutdown=_stop, deliver=_local_delivery
    ),
)


def create_app(**kwargs: object) -> FastAPI:
    return create_subgraph_app(definition, **kwargs)  # type: ignore[arg-type]
