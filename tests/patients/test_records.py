"""Patient records through the API: workflow, emergency contacts, search, all-or-nothing."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from subgraphs.kit.logins import NewLogin
from subgraphs.patients.ages import age_on, today_in
from tests.patients.conftest import scalar
from tests.patients.helpers import (
    as_role,
    code_of,
    create_patient,
    new_doctor,
    patients_gql,
    wait_for_events,
)
from tests.support.stack import SubgraphStack
from tests.support.tokens import TEST_PASSWORD

pytestmark = pytest.mark.asyncio(loop_scope="session")

VALIDATE = """mutation($id: ID!) { validatePatient(id: $id) { validationStatus doctorValidatedBy
  doctorValidatedAt institutionValidatedBy institutionValidatedAt } }"""
ADD = """mutation($id: ID!, $i: EmergencyContactInput!) {
  addEmergencyContact(patientId: $id, input: $i) { id isPrimary } }"""
CONTACTS = "query($id: ID!) { patient(id: $id) { emergencyContacts { id name isPrimary } } }"


async def test_validation_workflow(stack: SubgraphStack, http: httpx.AsyncClient) -> None:
    doctor, institution = (
        await as_role(stack, http, "doctor"),
        await as_role(stack, http, "institution"),
    )
    patient = await create_patient(stack, http, doctor)
    assert patient["validationStatus"] == "PENDING"
    first = await patients_gql(stack, http, VALIDATE, {"id": patient["id"]}, doctor)
    step = first["data"]["validatePatient"]
    assert step["validationStatus"] == "DOCTOR_VALIDATED"
    assert step["doctorValidatedBy"]
    assert step["doctorValidatedAt"]
    again = await patients_gql(stack, http, VALIDATE, {"id": patient["id"]}, doctor)
    assert code_of(again) == "CONFLICT"
    assert "already validated" in again["errors"][0]["message"]
    done = await patients_gql(stack, http, VALIDATE, {"id": patient["id"]}, institution)
    assert done["data"]["validatePatient"]["validationStatus"] == "FULL_ACCESS"
    assert done["data"]["validatePatient"]["institutionValidatedBy"]


async def test_admin_sets_any_status(stack: SubgraphStack, http: httpx.AsyncClient) -> None:
    patient = await create_patient(stack, http, await as_role(stack, http, "doctor"))
    query = """mutation($id: ID!, $s: ValidationStatus!) { setPatientValidationStatus(id: $id,
      status: $s) { validationStatus statusChangedBy statusChangedAt } }"""
    admin = await as_role(stack, http, "admin")
    for status in ("FULL_ACCESS", "PENDING", "INSTITUTION_VALIDATED"):
        body = await patients_gql(stack, http, query, {"id": patient["id"], "s": status}, admin)
        assert body["data"]["setPatientValidationStatus"]["validationStatus"] == status
        assert body["data"]["setPatientValidationStatus"]["statusChangedBy"]


async def _contacts(stack: SubgraphStack, http: httpx.AsyncClient, pid: str,
                    headers: dict[str, str]) -> list[dict[str, Any]]:  # fmt: skip
    body = await patients_gql(stack, http, CONTACTS, {"id": pid}, headers)
    contacts: list[dict[str, Any]] = body["data"]["patient"]["emergencyContacts"]
    return contacts


async def test_exactly_one_primary_contact(stack: SubgraphStack, http: httpx.AsyncClient) -> None:
    doctor = await as_role(stack, http, "doctor")
    pid = (await create_patient(stack, http, doctor))["id"]

    async def add(name: str, primary: bool = False) -> str:
        body = await patients_gql(stack, http, ADD, {"id": pid, "i": {
            "name": name, "relationship": "friend", "phone": "+52 55 5555 0001",
            "isPrimary": primary}}, doctor)  # fmt: skip
        assert not body.get("errors"), body
        return str(body["data"]["addEmergencyContact"]["id"])

    def primaries(contacts: list[dict[str, Any]]) -> list[str]:
        return [c["name"] for c in contacts if c["isPrimary"]]

    first = await add("Ana")  # the first contact is primary whatever was asked
    assert primaries(await _contacts(stack, http, pid, doctor)) == ["Ana"]
    await add("Beto")
    assert primaries(await _contacts(stack, http, pid, doctor)) == ["Ana"]
    carla = await add("Carla", primary=True)
    assert primaries(await _contacts(stack, http, pid, doctor)) == ["Carla"]
    update = """mutation($id: ID!, $i: UpdateEmergencyContactInput!) {
      updateEmergencyContact(id: $id, input: $i) { isPrimary } }"""
    await patients_gql(stack, http, update, {"id": first, "i": {"isPrimary": True}}, doctor)
    assert primaries(await _contacts(stack, http, pid, doctor)) == ["Ana"]
    await patients_gql(stack, http, update, {"id": first, "i": {"isPrimary": False}}, doctor)
    assert len(primaries(await _contacts(stack, http, pid, doctor))) == 1
    remove = "mutation($id: ID!) { removeEmergencyContact(id: $id) { id } }"
    for contact in (first, carla):
        await patients_gql(stack, http, remove, {"id": contact}, doctor)
        assert primaries(await _contacts(stack, http, pid, doctor)) == ["Beto"]
    (only,) = await _contacts(stack, http, pid, doctor)
    refused = await patients_gql(
        stack, http, update, {"id": only["id"], "i": {"isPrimary": False}}, doctor
    )
    assert code_of(refused) == "BAD_USER_INPUT"
    other = await new_doctor(stack, http)
    hidden = await patients_gql(stack, http, remove, {"id": only["id"]}, other[1])
    assert code_of(hidden) == "NOT_FOUND"


async def test_age_field_and_age_filter(stack: SubgraphStack, http: httpx.AsyncClient) -> None:
    _, headers = await new_doctor(stack, http)
    today = today_in(stack.settings.timezone)
    births = [date(today.year - 30, today.month, 1), date(2000, 2, 29), date(today.year - 70, 1, 1)]
    for born in births:
        await create_patient(stack, http, headers, dateOfBirth=born.isoformat())
    query = """query($f: PatientFilterInput) { patients(filter: $f, first: 50) {
      edges { node { dateOfBirth age } } } }"""
    body = await patients_gql(stack, http, query, {"f": {}}, headers)
    ages = {n["node"]["dateOfBirth"]: n["node"]["age"] for n in body["data"]["patients"]["edges"]}
    assert ages == {b.isoformat(): age_on(b, today) for b in births}
    lo, hi = age_on(births[0], today), age_on(births[1], today)
    body = await patients_gql(stack, http, query,
                              {"f": {"minAge": min(lo, hi), "maxAge": max(lo, hi)}}, headers)  # fmt: skip
    found = {n["node"]["dateOfBirth"] for n in body["data"]["patients"]["edges"]}
    assert found == {births[0].isoformat(), births[1].isoformat()}
    bad = await patients_gql(stack, http, query, {"f": {"minAge": 50, "maxAge": 10}}, headers)
    assert code_of(bad) == "BAD_USER_INPUT"


async def test_keyset_pages_cover_everything_once(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    query = """query($after: String, $s: PatientSortInput) { patients(first: 7, after: $after, sort: $s) {
      edges { node { id } } pageInfo { hasNextPage endCursor } } }"""
    admin = await as_role(stack, http, "admin")
    for sort in ({"field": "NAME"}, {"field": "CREATED_AT", "direction": "DESC"},
                 {"field": "DATE_OF_BIRTH"}):  # fmt: skip
        seen: list[str] = []
        after = None
        for _ in range(200):
            body = await patients_gql(stack, http, query, {"after": after, "s": sort}, admin)
            page = body["data"]["patients"]
            seen += [e["node"]["id"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        count = await patients_gql(stack, http, "{ patientCount }", None, admin)
        assert len(seen) == len(set(seen))
        assert len(seen) >= count["data"]["patientCount"] - 5  # others may create meanwhile


async def test_name_search_is_accent_insensitive(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    _, headers = await new_doctor(stack, http)
    tag = uuid.uuid4().hex[:6]
    await create_patient(stack, http, headers, firstName="José", lastName=f"Núñez{tag}")
    query = """query($n: String) { patients(filter: {name: $n}) { edges { node { lastName } } } }"""
    body = await patients_gql(stack, http, query, {"n": f"jose nunez{tag}"}, headers)
    assert [e["node"]["lastName"] for e in body["data"]["patients"]["edges"]] == [f"Núñez{tag}"]


class _CollidingLogins:
    """Creates the real login, then makes the record's commit fail: another row claims the
    new login id first (as a concurrent writer could), so the unique user_id index refuses."""

    def __init__(self, real: Any, database_url: str) -> None:
        self.real, self.database_url = real, database_url
        self.created: list[uuid.UUID] = []
        self.deleted: list[uuid.UUID] = []

    async def create_login(self, login: NewLogin) -> uuid.UUID:
        user_id: uuid.UUID = await self.real.create_login(login)
        self.created.append(user_id)
        # Its own engine: this runs on the servers' event loop, not the test's.
        engine = create_async_engine(self.database_url, poolclass=NullPool)
        async with engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO patients.patients (id, first_name, last_name, email, date_of_birth, "
                "gender, user_id) VALUES (:id, 'Squatter', 'Row', :email, '1990-01-01', 'other', :u)"
            ), {"id": uuid.uuid4(), "email": f"squat-{user_id}@tests.predicthealth.dev", "u": user_id})  # fmt: skip
        await engine.dispose()
        return user_id

    async def delete_login(self, user_id: uuid.UUID) -> None:
        self.deleted.append(user_id)
        await self.real.delete_login(user_id)


async def test_create_is_all_or_nothing(stack: SubgraphStack, http: httpx.AsyncClient,
                                        db: AsyncEngine) -> None:  # fmt: skip
    state = stack.apps["patients"].state
    real = state.logins
    faulty = state.logins = _CollidingLogins(real, stack.infra.database_url)
    email = f"aon-{uuid.uuid4().hex[:10]}@tests.predicthealth.dev"
    query = "mutation($i: CreatePatientInput!) { createPatient(input: $i) { id } }"
    try:
        body = await patients_gql(stack, http, query, {"i": {
            "firstName": "No", "lastName": "Trace", "email": email, "password": TEST_PASSWORD,
            "dateOfBirth": "1999-09-09", "gender": "MALE"}}, await as_role(stack, http, "doctor"))  # fmt: skip
    finally:
        state.logins = real
        async with db.begin() as conn:
            await conn.execute(text("DELETE FROM patients.patients WHERE first_name = 'Squatter'"))
    assert code_of(body) is not None
    assert faulty.created == faulty.deleted
    assert len(faulty.created) == 1
    assert await scalar(db, "SELECT count(*) FROM patients.patients WHERE email = :e", e=email) == 0
    assert await scalar(db, "SELECT count(*) FROM auth.users WHERE email = :e", e=email) == 0
    # A duplicate email is refused before any login is made.
    taken = await create_patient(stack, http)
    body = await patients_gql(stack, http, query, {"i": {
        "firstName": "Dup", "lastName": "Licate", "email": taken["email"], "password": TEST_PASSWORD,
        "dateOfBirth": "1999-09-09", "gender": "MALE"}}, await as_role(stack, http, "admin"))  # fmt: skip
    assert code_of(body) == "CONFLICT"


class _LostReply:
    """Auth creates the login but the reply never arrives (a timeout after the commit)."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.created: list[uuid.UUID] = []
        self.deleted: list[uuid.UUID] = []

    async def create_login(self, login: NewLogin) -> uuid.UUID:
        self.created.append(await self.real.create_login(login))
        raise TimeoutError("injected: the reply was lost")

    async def delete_login(self, user_id: uuid.UUID) -> None:
        self.deleted.append(user_id)
        await self.real.delete_login(user_id)


async def test_lost_login_reply_leaves_nothing(stack: SubgraphStack, http: httpx.AsyncClient,
                                               db: AsyncEngine) -> None:  # fmt: skip
    state = stack.apps["patients"].state
    real = state.logins
    faulty = state.logins = _LostReply(real)
    email = f"lost-{uuid.uuid4().hex[:10]}@tests.predicthealth.dev"
    query = "mutation($i: CreatePatientInput!) { createPatient(input: $i) { id } }"
    try:
        body = await patients_gql(stack, http, query, {"i": {
            "firstName": "Lost", "lastName": "Reply", "email": email, "password": TEST_PASSWORD,
            "dateOfBirth": "1999-09-09", "gender": "MALE"}}, await as_role(stack, http, "institution"))  # fmt: skip
    finally:
        state.logins = real
    assert code_of(body) == "INTERNAL_SERVER_ERROR"
    assert faulty.created == faulty.deleted
    assert len(faulty.created) == 1
    assert await scalar(db, "SELECT count(*) FROM patients.patients WHERE email = :e", e=email) == 0
    assert await scalar(db, "SELECT count(*) FROM auth.users WHERE email = :e", e=email) == 0
    events = await wait_for_events(stack, http, {"action": "patient.create", "outcome": "error"},
                                   until=lambda es: any(e["actorRole"] == "institution" for e in es))  # fmt: skip
    assert any(e["actorRole"] == "institution" for e in events)


ENTITY_PAGES = """query($r: [_Any!]!, $after: String) { _entities(representations: $r) {
  ... on Doctor { patientCount patients(first: 2, after: $after) {
    edges { node { lastName } } pageInfo { hasNextPage endCursor } } }
  ... on Institution { patientCount patients(first: 10) { edges { node { lastName } } } } } }"""


async def test_doctor_and_institution_patients(
    stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    doctor, headers = await new_doctor(stack, http)
    institution_id = doctor["institution"]["id"]
    names = sorted(f"Zeta {i} {uuid.uuid4().hex[:4]}" for i in range(5))
    for name in names:
        await create_patient(stack, http, headers, lastName=name)
    reps = [{"__typename": "Doctor", "id": doctor["id"]},
            {"__typename": "Institution", "id": institution_id}]  # fmt: skip
    seen: list[str] = []
    after = None
    for _ in range(5):
        body = await patients_gql(stack, http, ENTITY_PAGES, {"r": reps, "after": after}, headers)
        assert not body.get("errors"), body
        mine, theirs = body["data"]["_entities"]
        assert mine["patientCount"] == 5
        assert theirs["patientCount"] == 5
        seen += [e["node"]["lastName"] for e in mine["patients"]["edges"]]
        if not mine["patients"]["pageInfo"]["hasNextPage"]:
            break
        after = mine["patients"]["pageInfo"]["endCursor"]
    assert seen == names
    # Another doctor sees none of them, even through the entities.
    _, stranger = await new_doctor(stack, http, institution_id)
    body = await patients_gql(stack, http, ENTITY_PAGES, {"r": reps}, stranger)
    mine, theirs = body["data"]["_entities"]
    assert (mine["patientCount"], theirs["patientCount"]) == (0, 0)
    assert mine["patients"]["edges"] == theirs["patients"]["edges"] == []
