"""`@authenticated`, `@requiresScopes` and `@policy` at the router, as Apollo Router enforces them:
unauthorized fields are removed before planning and answered with null plus an
UNAUTHORIZED_FIELD_OR_TYPE error; the rest still runs; nothing authorized → no subgraph call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
import pytest_asyncio

from subgraphs.auth.keys import ActiveKey
from tests.auth.conftest import bearer
from tests.federation.testbed.subgraph import Subgraph
from tests.router.servers import Behaviour
from tests.router_security.conftest import Routed, auth_config, serve_testbed
from tests.support.stack import SubgraphStack
from tests.support.tokens import auth_headers

pytestmark = pytest.mark.asyncio(loop_scope="session")

_LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", '
    'import: ["@key", "@authenticated", "@requiresScopes", "@policy"])\n'
)
_USERS = [{"__typename": "User", "id": str(i), "name": f"user {i}"} for i in (1, 2)]

ACCOUNTS = Subgraph(
    name="accounts",
    sdl=_LINK
    + """
type Query {
  publicInfo: String
  me: User @authenticated
  users: [User!]!
  stats: Stats @requiresScopes(scopes: [["read:stats", "read:audit"]])
}
type User @key(fields: "id") {
  id: ID!
  name: String
  email: String @requiresScopes(scopes: [["read:patients"], ["read:self"]])
  secret: Secret
}
type Secret @authenticated { code: String }
type Stats { count: Int }
""",
    resolvers={
        "Query": {
            "publicInfo": lambda _r, _i: "hello",
            "me": lambda _r, _i: _USERS[0],
            "users": lambda _r, _i: [
                {**u, "email": f"u{u['id']}@x.test", "secret": {"code": "s"}} for u in _USERS
            ],
            "stats": lambda _r, _i: {"count": 3},
        }
    },
    references={"User": lambda rep: {**rep, "name": f"user {rep['id']}"}},
)
REVIEWS = Subgraph(
    name="reviews",
    sdl=_LINK
    + """
type User @key(fields: "id") {
  id: ID!
  rating: Int @authenticated
  audit: [String] @policy(policies: [["auditor"]])
}
""",
    references={"User": lambda rep: {**rep, "rating": 5, "audit": ["seen"]}},
)

ROLES = ("anonymous", "patient", "doctor", "analyst", "admin")
_UNAUTHORIZED = "UNAUTHORIZED_FIELD_OR_TYPE"


def _denied(body: dict[str, Any]) -> list[list[Any]]:
    return sorted(
        e["path"] for e in body.get("errors", []) if e["extensions"]["code"] == _UNAUTHORIZED
    )


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def testbed(stack: SubgraphStack) -> AsyncIterator[tuple[Routed, dict[str, Behaviour]]]:
    async with serve_testbed([ACCOUNTS, REVIEWS], auth_config(stack)) as served:
        yield served


async def _headers(stack: SubgraphStack, http: httpx.AsyncClient, role: str) -> dict[str, str]:
    return {} if role == "anonymous" else await auth_headers(stack, http, role=role)


#: role → paths removed from `{ publicInfo me { name } users { name email } stats { count } }`.
EXPECTED_DENIED: dict[str, list[list[Any]]] = {
    "anonymous": [["me"], ["stats"], ["users", "@", "email"]],
    "patient": [["stats"]],  # read:self opens email
    "doctor": [["stats"]],  # read:patients opens email
    "analyst": [
        ["stats"],
        ["users", "@", "email"],
    ],  # read:stats alone is not read:stats AND read:audit
    "admin": [],  # read:patients, read:stats and read:audit: everything is open
}


@pytest.mark.parametrize("role", ROLES)
async def test_unauthorized_fields_are_null_with_an_error(
    testbed: tuple[Routed, dict[str, Behaviour]],
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    role: str,
) -> None:
    routed, _ = testbed
    query = "{ publicInfo me { name } users { name email } stats { count } }"
    status, body = await routed.post(http, query, await _headers(stack, http, role))
    assert status == 200, body
    denied = _denied(body)
    assert denied == EXPECTED_DENIED[role], body
    data = body["data"]
    assert data["publicInfo"] == "hello"
    assert (data["me"] is None) == (["me"] in denied)
    assert (data["stats"] is None) == (["stats"] in denied)
    emails = [u["email"] for u in data["users"]]
    assert emails == (
        [None, None] if ["users", "@", "email"] in denied else ["u1@x.test", "u2@x.test"]
    )
    for error in body.get("errors", []):
        assert error["message"] == "Unauthorized field or type"


async def test_fully_unauthorized_query_calls_no_subgraph(
    testbed: tuple[Routed, dict[str, Behaviour]], http: httpx.AsyncClient
) -> None:
    routed, behaviours = testbed
    before = {name: len(b.seen_bodies) for name, b in behaviours.items()}
    status, body = await routed.post(http, "{ me { name } stats { count } }")
    assert status == 200
    assert body["data"] == {"me": None, "stats": None}
    assert _denied(body) == [["me"], ["stats"]]
    assert {name: len(b.seen_bodies) for name, b in behaviours.items()} == before


async def test_entity_fields_types_fragments_and_policies(
    testbed: tuple[Routed, dict[str, Behaviour]], stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    routed, behaviours = testbed
    query = """
      query { users { ...U secret { code } } }
      fragment U on User { id rating audit }
    """
    status, body = await routed.post(http, query)
    assert status == 200
    # Anonymous: `rating` (@authenticated field), `secret` (@authenticated type) and the policy.
    assert _denied(body) == [
        ["users", "@", "audit"],
        ["users", "@", "rating"],
        ["users", "@", "secret"],
    ]
    assert body["data"]["users"] == [
        {"id": "1", "rating": None, "audit": None, "secret": None},
        {"id": "2", "rating": None, "audit": None, "secret": None},
    ]
    # Nothing of `reviews` is left to ask for: its subgraph is not called.
    before = len(behaviours["reviews"].seen_bodies)
    await routed.post(http, query)
    assert len(behaviours["reviews"].seen_bodies) == before

    admin = await auth_headers(stack, http, role="admin")
    status, body = await routed.post(http, query, admin)
    # No policy evaluator is configured, so `@policy` stays closed even for an admin (as in
    # Apollo Router without a coprocessor granting it).
    assert _denied(body) == [["users", "@", "audit"]]
    assert body["data"]["users"][0] == {
        "id": "1",
        "rating": 5,
        "audit": None,
        "secret": {"code": "s"},
    }


async def test_scope_claim_grants_scopes(
    testbed: tuple[Routed, dict[str, Behaviour]], stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    routed, _ = testbed
    key: ActiveKey = stack.servers.run(stack.apps["auth"].state.auth.keys.active())
    # A genuine login's claims, re-signed with an OAuth `scope` claim on top of the analyst role.
    token = (await auth_headers(stack, http, role="analyst"))["authorization"].split()[1]
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["scope"] = "read:audit"
    scoped = jwt.encode(claims, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid})
    status, body = await routed.post(http, "{ stats { count } }", bearer(scoped))
    assert (status, body) == (200, {"data": {"stats": {"count": 3}}})


async def test_plans_are_not_shared_across_authorization_outcomes(
    testbed: tuple[Routed, dict[str, Behaviour]], stack: SubgraphStack, http: httpx.AsyncClient
) -> None:
    routed, _ = testbed
    query = "{ users { id email } }"
    doctor = await auth_headers(stack, http, role="doctor")
    answers = []
    for headers in ({}, doctor, {}, doctor):
        _, body = await routed.post(http, query, headers)
        answers.append([u["email"] for u in body["data"]["users"]])
    assert answers == [[None, None], ["u1@x.test", "u2@x.test"]] * 2
    plans = [k for k in routed.app.router._plans if k[0] == query]
    assert len(plans) == 2  # one per outcome, each reused
