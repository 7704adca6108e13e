"""Errors and nullability (incl. errors inside `_entities` at list positions), mutations whose
order is observable through a shared journal, custom scalars, enums, input objects, arguments."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis_graphql import nodes

from tests.federation.testbed.scenario import Scenario
from tests.federation.testbed.subgraph import Subgraph, SubgraphError

__all__ = ["SCENARIO"]

_LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", '
    'import: ["@key", "@shareable", "@external", "@requires"])\n'
)

ACCOUNTS: dict[str, dict[str, Any]] = {
    "1": {"status": "OPEN", "openedAt": "2024-01-05T09:30:00Z", "owner": "ana", "tier": 1},
    "2": {"status": "FROZEN", "openedAt": "2024-02-11T12:00:00Z", "owner": "ben", "tier": 2},
    "3": {"status": "OPEN", "openedAt": "2024-03-17T08:15:00Z", "owner": "cy", "tier": 3},
    "4": {"status": "CLOSED", "openedAt": "2024-04-23T16:45:00Z", "owner": None, "tier": 1},
    "5": {"status": "OPEN", "openedAt": "2024-05-29T23:59:59Z", "owner": "dee", "tier": 2},
    "6": {"status": "FROZEN", "openedAt": "2024-06-30T00:00:00Z", "owner": "eli", "tier": 3},
}
# Both subgraphs append to this one journal: a mutation's `seq` shows the order it ran in.
JOURNAL: list[str] = []


def _account(account_id: str | None) -> dict[str, Any] | None:
    if account_id is None or account_id not in ACCOUNTS:
        return None
    return {"__typename": "Account", "id": account_id}


def _field(name: str) -> Any:
    return lambda account, _info: ACCOUNTS[account["id"]][name]


def _note(account: dict[str, Any], _info: Any) -> str:
    if account["id"] == "2":
        raise SubgraphError("note of a frozen account is sealed", code="SEALED")
    return f"note for {account['id']}"


def _accounts(
    _root: Any, _info: Any, limit: int, filter: dict[str, Any] | None = None
) -> list[dict[str, Any] | None]:
    filter = filter or {}
    found = []
    for account_id, account in ACCOUNTS.items():
        if filter.get("status") not in (None, account["status"]):
            continue
        prefix = filter.get("ownerPrefix")
        if prefix is not None and not (account["owner"] or "").startswith(prefix):
            continue
        after = filter.get("openedAfter")
        if after is not None and not account["openedAt"] > str(after):
            continue
        found.append(_account(account_id))
    return found[: max(limit, 0)]


def _raise(message: str, code: str | None = None) -> Any:
    def resolve(_root: Any, _info: Any) -> Any:
        raise SubgraphError(message, code)

    return resolve


def _echo(
    _root: Any,
    _info: Any,
    text: str,
    times: int,
    tags: list[str] | None = None,
    when: Any = None,
    meta: Any = None,
) -> dict[str, Any]:
    # Bounded: fuzzed `times` can be huge.
    return {"text": text * min(max(times, 0), 3), "tags": tags, "when": when, "meta": meta}


def _step(label: str, account_id: str | None = None) -> dict[str, Any]:
    JOURNAL.append(label)
    return {"seq": len(JOURNAL), "label": label, "account": _account(account_id)}


def _reset(_root: Any, _info: Any) -> bool:
    # Answers the same whatever ran before, so two gateways can run the same mutation.
    JOURNAL.clear()
    return True


def _fail_step(_root: Any, _info: Any, label: str) -> Any:
    JOURNAL.append(label)
    raise SubgraphError(f"step {label} failed after being journaled", code="STEP_FAILED")


ledger = Subgraph(
    name="ledger",
    sdl=_LINK
    + """
scalar DateTime
scalar JSON

enum Status { OPEN FROZEN CLOSED }

input AccountFilter {
  status: Status
  ownerPrefix: String
  openedAfter: DateTime
}

type Query {
  accounts(filter: AccountFilter, limit: Int = 10): [Account!]!
  account(id: ID!): Account
  accountsWithGaps: [Account]!
  boom: String
  boomRequired: String!
  nullRequired: String!
  coded: String
  echo(text: String!, times: Int = 1, tags: [String!], when: DateTime, meta: JSON): Echo!
}

type Echo {
  text: String!
  tags: [String!]
  when: DateTime
  meta: JSON
}

type Account @key(fields: "id") {
  id: ID!
  status: Status!
  openedAt: DateTime!
  owner: String
  meta: JSON
  note: String
}

type Step {
  seq: Int!
  label: String!
  account: Account
}

type Mutation {
  resetJournal: Boolean!
  step(label: String!, accountId: ID): Step!
  failStep(label: String!): Step
}
""",
    resolvers={
        "Query": {
            "accounts": _accounts,
            "account": lambda _r, _i, id: _account(id),
            "accountsWithGaps": lambda _r, _i: [_account(i) for i in ("1", "9", "3", None, "5")],
            "boom": _raise("boom went the subgraph"),
            "boomRequired": _raise("required boom", code="REQUIRED_BOOM"),
            "nullRequired": lambda _r, _i: None,
            "coded": _raise("you may not", code="FORBIDDEN"),
            "echo": _echo,
        },
        "Account": {
            "status": _field("status"),
            "openedAt": _field("openedAt"),
            "owner": _field("owner"),
            "meta": lambda a, _i: {"tier": ACCOUNTS[a["id"]]["tier"], "tags": ["x", a["id"]]},
            "note": _note,
        },
        "Mutation": {
            "resetJournal": _reset,
            "step": lambda _r, _i, label, accountId=None: _step(label, accountId),
            "failStep": _fail_step,
        },
    },
    references={"Account": lambda rep: _account(rep["id"])},
)


def _score(account: dict[str, Any], _info: Any) -> int:
    if account["id"] == "2":
        raise SubgraphError("score unavailable", code="SCORE_UNAVAILABLE")
    return int(account["id"]) * 10


def _grade(account: dict[str, Any], _info: Any) -> str:
    if account["id"] == "3":
        raise SubgraphError("grade is not computable")
    return "ABCDEF"[int(account["id"]) - 1]


def _limits(account: dict[str, Any], _info: Any) -> list[int | None]:
    # A null inside `[Int!]` makes the subgraph null the whole list and report an error.
    return [100, None] if account["id"] == "4" else [100, 200]


def _review(account: dict[str, Any], _info: Any) -> str:
    # Shows exactly what the gateway sent for the @requires fields (absent, null or a value).
    return f"note={account.get('note', '<absent>')!r} owner={account.get('owner', '<absent>')!r}"


def _risk_step(label: str) -> dict[str, Any]:
    JOURNAL.append(label)
    return {"seq": len(JOURNAL), "label": label}


def _risk_account(rep: dict[str, Any]) -> dict[str, Any] | None:
    if rep["id"] == "5":
        raise SubgraphError("risk record is locked", code="LOCKED")
    if rep["id"] == "6":
        return None
    return dict(rep)  # keeps the @requires fields the gateway sent along


risk = Subgraph(
    name="risk",
    sdl=_LINK
    + """
type Account @key(fields: "id") {
  id: ID!
  score: Int
  grade: String!
  limits: [Int!]
  note: String @external
  owner: String @external
  review: String @requires(fields: "note owner")
}

type RiskStep {
  seq: Int!
  label: String!
}

type Query {
  riskiest: Account
}

type Mutation {
  riskStep(label: String!): RiskStep!
}
""",
    resolvers={
        "Query": {"riskiest": lambda _r, _i: {"__typename": "Account", "id": "3"}},
        "Account": {"score": _score, "grade": _grade, "limits": _limits, "review": _review},
        "Mutation": {
            "riskStep": lambda _r, _i, label: _risk_step(label),
        },
    },
    references={"Account": _risk_account},
)

# Always answers HTTP 503 with a plain-text body: fetch failures, not GraphQL errors.
outage = Subgraph(
    name="outage",
    sdl=_LINK
    + """
type Account @key(fields: "id") {
  id: ID!
  auditTrail: [String!]
}

type Query {
  outageStatus: String
}
""",
    outage_status=503,
)

_DATES = ["2024-01-01T00:00:00Z", "2024-03-17T08:15:00Z", "2030-12-31T23:59:59Z"]

SCENARIO = Scenario(
    name="errors",
    subgraphs=(ledger, risk, outage),
    custom_scalars={
        "DateTime": st.sampled_from(_DATES).map(nodes.String),
        "JSON": st.one_of(st.integers(-5, 5).map(nodes.Int), st.text(max_size=5).map(nodes.String)),
    },
    # Queries only: mutations change the shared journal, so their answers depend on history.
    generated_fields=(
        "accounts",
        "account",
        "accountsWithGaps",
        "boom",
        "boomRequired",
        "nullRequired",
        "coded",
        "echo",
        "riskiest",
        "outageStatus",
    ),
)
