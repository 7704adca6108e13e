"""Emergency contacts: a list per patient with exactly one primary contact whenever any exist."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.errors import Invalid, NotFound
from subgraphs.kit.principal import Principal
from subgraphs.patients import access, repository, validation
from subgraphs.patients.models import EmergencyContact, Patient

__all__ = ["ContactChanges", "NewContact", "add_contact", "remove_contact", "update_contact"]


@dataclass(frozen=True, kw_only=True)
class NewContact:
    name: str
    relationship: str
    phone: str
    email: str | None = None
    is_primary: bool = False


@dataclass(frozen=True, kw_only=True)
class ContactChanges:
    name: str | None = None
    relationship: str | None = None
    phone: str | None = None
    email: str | None = None
    is_primary: bool | None = None


async def _patient(session: AsyncSession, principal: Principal, patient_id: uuid.UUID) -> Patient:
    """The patient row, locked (serializes contact changes of one patient); the patient
    themself, their doctor, institution and admins manage contacts."""
    row = await repository.get_for_update(session, patient_id)
    if row is None or not access.can_see(principal, row):
        raise NotFound("Patient not found")
    return row


async def _contacts(session: AsyncSession, patient_id: uuid.UUID) -> list[EmergencyContact]:
    return list(await repository.contacts_of(session, [patient_id]))


async def _make_primary(session: AsyncSession, contact: EmergencyContact) -> None:
    await repository.unset_primary(session, contact.patient_id)
    await session.flush()
    contact.is_primary = True


async def add_contact(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID, data: NewContact
) -> EmergencyContact:
    """The first contact becomes primary whatever was asked; a new primary demotes the old."""
    patient = await _patient(session, principal, patient_id)
    existing = await _contacts(session, patient.id)
    contact = EmergencyContact(
        id=uuid.uuid4(), patient_id=patient.id,
        name=validation.clean_name(data.name, "name", limit=200),
        relationship=validation.clean_relationship(data.relationship),
        phone=validation.clean_phone(data.phone, required=True),
        email=validation.clean_optional_email(data.email), is_primary=False,
    )  # fmt: skip
    if data.is_primary or not existing:
        await repository.unset_primary(session, patient.id)
        contact.is_primary = True
    await repository.insert(session, contact)
    return contact


async def _owned(
    session: AsyncSession, principal: Principal, contact_id: uuid.UUID
) -> EmergencyContact:
    contact = await repository.get_contact_for_update(session, contact_id)
    if contact is None:
        raise NotFound("Emergency contact not found")
    try:
        await _patient(session, principal, contact.patient_id)
    except NotFound as exc:
        raise NotFound("Emergency contact not found") from exc
    return contact


async def update_contact(
    session: AsyncSession, principal: Principal, contact_id: uuid.UUID, changes: ContactChanges
) -> EmergencyContact:
    """Un-marking the primary hands the flag to the oldest other contact (if any)."""
    contact = await _owned(session, principal, contact_id)
    if changes.name is not None:
        contact.name = validation.clean_name(changes.name, "name", limit=200)
    if changes.relationship is not None:
        contact.relationship = validation.clean_relationship(changes.relationship)
    if changes.phone is not None:
        contact.phone = validation.clean_phone(changes.phone, required=True) or contact.phone
    if changes.email is not None:
        contact.email = validation.clean_optional_email(changes.email)
    if changes.is_primary is True and not contact.is_primary:
        await _make_primary(session, contact)
    elif changes.is_primary is False and contact.is_primary:
        others = [c for c in await _contacts(session, contact.patient_id) if c.id != contact.id]
        if not others:
            raise Invalid("isPrimary", "the only contact must stay primary")
        contact.is_primary = False
        await session.flush()
        await _make_primary(session, others[0])
    await repository.flush(session)
    return contact


async def remove_contact(
    session: AsyncSession, principal: Principal, contact_id: uuid.UUID
) -> EmergencyContact:
    """Removing the primary promotes the oldest remaining contact."""
    contact = await _owned(session, principal, contact_id)
    was_primary = contact.is_primary
    await session.delete(contact)
    await session.flush()
    if was_primary:
        rest = await _contacts(session, contact.patient_id)
        if rest:
            rest[0].is_primary = True
            await repository.flush(session)
    return contact
