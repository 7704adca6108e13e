"""Every write path is all-or-nothing: a failure injected at each SQL statement of the mutation
(and at its COMMIT) leaves every table it could touch exactly as it was, the caller gets a coded
error, and the same mutation then succeeds on the untouched data.

How: the mutation runs once on a fresh entity to count its statements (K); then, on another fresh
entity, for i in 1..K the i-th statement the subgraph executes for the request raises, and a
checksum of the subgraph's tables (and auth's users) is compared before and after. Audit tables
are left out: a failed attempt is rightly audited.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import Session

from subgraphs.kit.auth import SERVICE_TOKEN_HEADER
from subgraphs.kit.logs import REQUEST_ID
from subgraphs.kit.seeding import DEMO_LOGINS
from tests.directory.factories import create_doctor, create_institution
from tests.patients.helpers import create_patient
from tests.support.stack import SubgraphStack
from tests.support.tokens import TEST_PASSWORD, auth_headers, create_user, login

pytestmark = pytest.mark.asyncio(loop_scope="session")

Prepared = tuple[dict[str, Any], dict[str, str]]  # (variables, headers)


class InjectedFault(Exception):
    """Raised in place of one SQL statement or COMMIT."""


@dataclass(frozen=True)
class Env:
    stack: SubgraphStack
    http: httpx.AsyncClient
    admin: dict[str, str]

    @property
    def service(self) -> dict[str, str]:
        return {SERVICE_TOKEN_HEADER: self.stack.settings.service_token}

    async def call(self, subgraph: str, query: str, variables: dict[str, Any],
                   headers: dict[str, str], request_id: str | None = None) -> dict[str, Any]:  # fmt: skip
        headers = {**headers, "x-request-id": request_id or uuid.uuid4().hex}
        response = await self.http.post(self.stack.url(subgraph), headers=headers,
                                        json={"query": query, "variables": variables})  # fmt: skip
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


_LOGIN_REMOVED = ("auth.users", "auth.role_counts")


@dataclass(frozen=True)
class Case:
    subgraph: str
    mutation: str
    prepare: Callable[[Env], Awaitable[Prepared]]
    #: Tables a failed COMMIT may leave changed: the login a delete removes in auth, as the last
    #: step before COMMIT (kit.context.last_step), cannot come back (no two-phase commit). The
    #: logins per role in auth.role_counts are counted in the same transaction as auth.users.
    commit_window: tuple[str, ...] = ()
    #: The subgraph whose statements fail (default: the one called), for a mutation that
    #: delegates its write to another (the request id travels with the service call).
    inject: str = ""

    @property
    def name(self) -> str:
        found = re.search(r"(?:\)|mutation)\s*\{\s*(\w+)", self.mutation)
        assert found is not None
        return found[1]


def _tag() -> str:
    return uuid.uuid4().hex[:10]


# -- fresh entities -----------------------------------------------------------------------------
async def _doctor(env: Env, **extra: Any) -> Prepared:
    return {"id": (await create_doctor(env.stack, env.http))["id"], **extra}, env.admin


async def _inactive_doctor(env: Env) -> Prepared:
    variables, headers = await _doctor(env)
    body = await env.call("doctors", "mutation($id: ID!) { deactivateDoctor(id: $id) { id } }",
                          {"id": variables["id"]}, headers)  # fmt: skip
    assert not body.get("errors"), body
    return variables, headers


async def _institution(env: Env, **extra: Any) -> Prepared:
    return {"id": (await create_institution(env.stack, env.http))["id"], **extra}, env.admin


async def _inactive_institution(env: Env) -> Prepared:
    variables, headers = await _institution(env)
    body = await env.call("institutions",
                          "mutation($id: ID!) { deactivateInstitution(id: $id, force: true) { id } }",
                          {"id": variables["id"]}, headers)  # fmt: skip
    assert not body.get("errors"), body
    return variables, headers


async def _patient(env: Env, **extra: Any) -> Prepared:
    return {"id": (await create_patient(env.stack, env.http))["id"], **extra}, env.admin


async def _inactive_patient(env: Env) -> Prepared:
    variables, headers = await _patient(env)
    body = await env.call("patients", "mutation($id: ID!) { deactivatePatient(id: $id) { id } }",
                          {"id": variables["id"]}, headers)  # fmt: skip
    assert not body.get("errors"), body
    return variables, headers


async def _contact(env: Env, **extra: Any) -> Prepared:
    (patient, headers) = await _patient(env)
    body = await env.call(
        "patients", _ADD_CONTACT, {"id": patient["id"], "input": _CONTACT}, headers
    )
    assert not body.get("errors"), body
    return {"id": body["data"]["addEmergencyContact"]["id"], **extra}, headers


async def _admin_input(env: Env) -> Prepared:
    tag = _tag()
    return {"input": {"firstName": "Ada", "lastName": f"Admin {tag}", "password": TEST_PASSWORD,
                      "email": f"adm-{tag}@tests.predicthealth.dev"}}, env.admin  # fmt: skip


async def _admin(env: Env, **extra: Any) -> Prepared:
    variables, headers = await _admin_input(env)
    body = await env.call("admins", _CREATE_ADMIN, variables, headers)
    assert not body.get("errors"), body
    return {"id": body["data"]["createAdmin"]["id"], **extra}, headers


async def _inactive_admin(env: Env) -> Prepared:
    variables, headers = await _admin(env)
    body = await env.call("admins", "mutation($id: ID!) { deactivateAdmin(id: $id) { id } }",
                          variables, headers)  # fmt: skip
    assert not body.get("errors"), body
    return variables, headers


async def _registration(env: Env) -> Prepared:
    tag = _tag()
    return {"input": {"name": f"Clínica {tag}", "institutionType": "HOSPITAL",
                      "contactEmail": f"reg-{tag}@tests.predicthealth.dev", "password": TEST_PASSWORD,
                      "licenseNumber": f"REG-{uuid.uuid4().int % 10**9:09d}"}}, env.admin  # fmt: skip


async def _signed_in(env: Env) -> tuple[dict[str, Any], dict[str, Any]]:
    user = await create_user(env.stack, env.http, role="patient")
    return user, await login(env.stack, env.http, user["email"], TEST_PASSWORD)


async def _own_session(env: Env) -> Prepared:
    _, session = await _signed_in(env)
    return {"id": session["sessionId"]}, {"authorization": f"Bearer {session['accessToken']}"}


async def _password_change(env: Env) -> Prepared:
    _, session = await _signed_in(env)
    return ({"current": TEST_PASSWORD, "new": f"another sturdy passphrase {_tag()}"},
            {"authorization": f"Bearer {session['accessToken']}"})  # fmt: skip


async def _user(env: Env) -> Prepared:
    user, _ = await _signed_in(env)
    return {"id": user["id"]}, env.service


async def _user_for_admin(env: Env) -> Prepared:
    user, _ = await _signed_in(env)
    return {"id": user["id"]}, env.admin


async def _new_user(env: Env) -> Prepared:
    return {"input": {"email": f"new-{_tag()}@tests.predicthealth.dev", "password": TEST_PASSWORD,
                      "role": "PATIENT"}}, env.service  # fmt: skip


async def _credentials(env: Env) -> Prepared:
    user, _ = await _signed_in(env)
    return {"email": user["email"], "password": TEST_PASSWORD}, {}


_CONTACT = {"name": "Rosa", "relationship": "sister", "phone": "+52 55 1234 0000"}
_ADD_CONTACT = ("mutation($id: ID!, $input: EmergencyContactInput!) "
                "{ addEmergencyContact(patientId: $id, input: $input) { id } }")  # fmt: skip
_CREATE_ADMIN = "mutation($input: CreateAdminInput!) { createAdmin(input: $input) { id } }"

CASES = [
    Case("doctors", "mutation($id: ID!) { updateDoctor(id: $id, input: {firstName: \"Changed\", yearsExperience: 9}) { id } }", _doctor),
    Case("doctors", "mutation($id: ID!) { deactivateDoctor(id: $id) { id } }", _doctor),
    Case("doctors", "mutation($id: ID!) { activateDoctor(id: $id) { id } }", _inactive_doctor),
    Case("doctors", "mutation($id: ID!) { reviewDoctorLicense(id: $id, decision: VERIFIED) { id } }", _doctor),
    Case("institutions", "mutation($id: ID!) { updateInstitution(id: $id, input: {name: \"Renamed\", region: \"Oaxaca\"}) { id } }", _institution),
    Case("institutions", "mutation($id: ID!) { deactivateInstitution(id: $id, force: true) { id } }", _institution),
    Case("institutions", "mutation($id: ID!) { activateInstitution(id: $id) { id } }", _inactive_institution),
    Case("institutions", "mutation($id: ID!) { deleteInstitution(id: $id, force: true) }", _institution, _LOGIN_REMOVED),
    Case("patients", "mutation($id: ID!) { updatePatient(id: $id, input: {firstName: \"Changed\", phone: \"+52 55 9876 5432\"}) { id } }", _patient),
    Case("patients", "mutation($id: ID!) { deactivatePatient(id: $id) { id } }", _patient),
    Case("patients", "mutation($id: ID!) { activatePatient(id: $id) { id } }", _inactive_patient),
    Case("patients", "mutation($id: ID!) { deletePatient(id: $id) }", _patient, _LOGIN_REMOVED),
    Case("patients", "mutation($id: ID!) { setPatientValidationStatus(id: $id, status: FULL_ACCESS) { id } }", _patient),
    Case("patients", _ADD_CONTACT.replace("$input: EmergencyContactInput!", "$input: EmergencyContactInput! = {name: \"Rosa\", relationship: \"sister\", phone: \"+52 55 1234 0000\"}"), _patient),
    Case("patients", "mutation($id: ID!) { updateEmergencyContact(id: $id, input: {isPrimary: true, phone: \"+52 55 4444 5555\"}) { id } }", _contact),
    Case("patients", "mutation($id: ID!) { removeEmergencyContact(id: $id) { id } }", _contact),
    Case("admins", _CREATE_ADMIN, _admin_input),
    Case("admins", "mutation($id: ID!) { updateAdmin(id: $id, input: {department: \"Audit\"}) { id } }", _admin),
    Case("admins", "mutation($id: ID!) { deactivateAdmin(id: $id) { id } }", _admin),
    Case("admins", "mutation($id: ID!) { activateAdmin(id: $id) { id } }", _inactive_admin),
    Case("admins", "mutation($input: RegisterInstitutionInput!) { registerInstitution(input: $input) { id } }", _registration, inject="institutions"),
    Case("auth", "mutation($email: String!, $password: String!) { login(email: $email, password: $password) { sessionId } }", _credentials),
    Case("auth", "mutation($id: ID!) { revokeSession(id: $id) }", _own_session),
    Case("auth", "mutation { revokeAllSessions }", _own_session),
    Case("auth", "mutation($current: String!, $new: String!) { changePassword(currentPassword: $current, newPassword: $new) }", _password_change),
    Case("auth", "mutation($id: ID!) { unlockUser(id: $id) }", _user_for_admin),
    Case("auth", "mutation($id: ID!) { createTokens(userId: $id) { sessionId } }", _user),
    Case("auth", "mutation($id: ID!) { deleteUser(id: $id) }", _user),
    Case("auth", "mutation($input: CreateUserInput!) { createUser(input: $input) { id } }", _new_user),
]  # fmt: skip

_SKIPPED_TABLES = ("audit_events", "audit_outbox", "security_events", "signing_keys")


async def _tables(db: AsyncEngine, subgraph: str) -> list[str]:
    schemas = {subgraph, "auth"} | ({"institutions"} if subgraph == "admins" else set())
    async with db.connect() as conn:
        rows = await conn.execute(text(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema = ANY(:s) AND table_type = 'BASE TABLE' "
            "AND table_schema || '.' || table_name <> 'public.alembic_version'"), {"s": list(schemas)})  # fmt: skip
        names = [r[0] for r in rows]
    return sorted(n for n in names if n.split(".")[1] not in _SKIPPED_TABLES and "alembic" not in n)


async def _checksum(db: AsyncEngine, tables: list[str]) -> dict[str, str]:
    sums = {}
    async with db.connect() as conn:
        for table in tables:
            query = f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"
            sums[table] = str((await conn.execute(text(query))).scalar_one())
    return sums


@dataclass
class Trace:
    statements: int = 0
    committed_after: int | None = None  # statements run when the change committed


@contextlib.contextmanager
def _fault_at(engine: AsyncEngine, step: int | None, request_id: str) -> Iterator[Trace]:
    """Statement number `step` the subgraph runs for request `request_id` raises; None: count,
    fail nothing; 0: the COMMIT of the request's first writing transaction raises. Other work
    (audit relays delivering to admins, the revocation mirror) is not counted."""
    trace = Trace()
    sync = engine.sync_engine

    def ours(session: Session) -> bool:
        return REQUEST_ID.get() == request_id and session.get_bind() is sync

    def statement(*_: Any) -> None:
        if REQUEST_ID.get() != request_id:
            return
        trace.statements += 1
        if trace.statements == step:
            raise InjectedFault(f"injected at statement {step}")

    def flushed(session: Session, _: Any) -> None:
        if ours(session):
            session.info["wrote"] = True

    def before_commit(session: Session) -> None:
        if step == 0 and trace.committed_after is None and ours(session):
            raise InjectedFault("injected at COMMIT")

    def after_commit(session: Session) -> None:
        if trace.committed_after is None and ours(session) and session.info.get("wrote"):
            trace.committed_after = trace.statements

    listeners = [(sync, "before_cursor_execute", statement), (Session, "after_flush", flushed),
                 (Session, "before_commit", before_commit), (Session, "after_commit", after_commit)]  # fmt: skip
    for target, name, fn in listeners:
        event.listen(target, name, fn)
    try:
        yield trace
    finally:
        for target, name, fn in listeners:
            event.remove(target, name, fn)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def env(own_stack: SubgraphStack) -> AsyncIterator[Env]:
    async with httpx.AsyncClient(timeout=60) as http:
        admin = await auth_headers(own_stack, http, role="admin", email=DEMO_LOGINS["admin"])
        yield Env(own_stack, http, admin)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def db(own_stack: SubgraphStack) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(own_stack.infra.database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
async def test_write_path_is_all_or_nothing(env: Env, db: AsyncEngine, case: Case) -> None:
    engine = env.stack.apps[case.inject or case.subgraph].state.engine
    variables, headers = await case.prepare(env)
    request_id = uuid.uuid4().hex
    with _fault_at(engine, None, request_id) as counted:
        body = await env.call(case.subgraph, case.mutation, variables, headers, request_id)
    assert not body.get("errors"), body
    assert counted.statements > 0
    # Statements after the change committed record its audit read event: a failure there
    # withholds the answer (fail closed) but cannot undo the change; every step up to it must.
    steps = counted.committed_after or counted.statements

    variables, headers = await case.prepare(env)
    tables = await _tables(db, case.subgraph)
    for step in [0, *range(1, steps + 1)]:  # COMMIT first, then each statement
        before = await _checksum(db, tables)
        request_id = uuid.uuid4().hex
        with _fault_at(engine, step, request_id) as trace:
            body = await env.call(case.subgraph, case.mutation, variables, headers, request_id)
        if step == 0 and not body.get("errors"):
            # The only transaction here was the audit record of a cross-service change, which
            # is written quietly (kit.audit_trail): the change lives in the other subgraph.
            variables, headers = await case.prepare(env)
            continue
        if step > trace.statements:
            # This run needed fewer statements (a cached lookup): the fault never fired, the
            # change went through whole, and every step that exists was covered.
            assert not body.get("errors"), body
            return
        assert body.get("errors"), (step, body)
        assert body["errors"][0]["extensions"]["code"], body
        after = await _checksum(db, tables)
        allowed = case.commit_window if step == 0 else ()
        changed = [t for t in tables if before[t] != after[t] and t not in allowed]
        assert not changed, f"{case.name}: failure at step {step}/{steps} left writes in {changed}"
    body = await env.call(case.subgraph, case.mutation, variables, headers)
    assert not body.get("errors"), body
