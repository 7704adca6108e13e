"""End to end: the router over HTTP in front of tiny in-process subgraphs (uvicorn on free ports)."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from graphql import GraphQLError

from router.app import create_app
from router.config import RouterConfig
from tests.federation.testbed.subgraph import Subgraph, SubgraphError
from tests.router.planning import LINK
from tests.router.servers import Behaviour, free_port, serve_asgi, subgraph_app
from tests.support.apollo import SubgraphSpec, compose_with_apollo

pytestmark = pytest.mark.peers

USERS = {"1": "Ada", "2": "Alan", "3": "Grace"}
REVIEWS = {"1": ["Love it", "Too pricey"], "2": ["Meh"], "3": []}


def _reviews(user: dict[str, Any], _info: Any) -> list[dict[str, Any]]:
    if user["id"] == "2":
        raise GraphQLError(
            "reviews of user 2 are private",
            extensions={"code": "FORBIDDEN", "exception": {"stacktrace": ["Traceback: secret"]}},
        )
    return [{"body": body} for body in REVIEWS[user["id"]]]


ACCOUNTS = Subgraph(
    name="accounts",
    sdl=LINK
    + """
type Query { me: User users: [User!]! team: [User] }
type User @key(fields: "id") { id: ID! name: String }
""",
    resolvers={
        "Query": {
            "me": lambda _r, _i: {"__typename": "User", "id": "1", "name": USERS["1"]},
            "team": lambda _r, _i: [{"__typename": "User", "id": k} for k in ("1", "3", "1")],
            "users": lambda _r, _i: [
                {"__typename": "User", "id": k, "name": v} for k, v in USERS.items()
            ],
        }
    },
    references={
        "User": lambda rep: {"__typename": "User", "id": rep["id"], "name": USERS[rep["id"]]}
    },
)

REVIEWS_SUBGRAPH = Subgraph(
    name="reviews",
    sdl=LINK
    + """
type User @key(fields: "id") { id: ID! reviews: [Review] strictReviews: [Review!]! }
type Review { body: String! }
""",
    resolvers={"User": {"reviews": _reviews, "strictReviews": _reviews}},
    references={"User": lambda rep: {"__typename": "User", "id": rep["id"]}},
)


@functools.cache
def _supergraph() -> str:
    return compose_with_apollo(
        [
            SubgraphSpec(s.name, f"http://{s.name}.invalid/graphql", s.sdl)
            for s in (ACCOUNTS, REVIEWS_SUBGRAPH)
        ]
    )


@dataclass
class Stack:
    client: httpx.AsyncClient
    accounts: Behaviour
    reviews: Behaviour

    async def query(self, query: str, **extra: Any) -> tuple[int, dict[str, Any]]:
        headers = extra.pop("headers", None)
        response = await self.client.post(
            "/graphql", json={"query": query, **extra}, headers=headers
        )
        return response.status_code, response.json()


@asynccontextmanager
async def stack(
    *, reviews_down: bool = False, reviews: Behaviour | None = None, **config: Any
) -> AsyncIterator[Stack]:
    accounts_behaviour, reviews_behaviour = Behaviour(), reviews or Behaviour()
    async with AsyncExitStack() as exits:
        accounts_url = await exits.enter_async_context(
            serve_asgi(subgraph_app(ACCOUNTS, accounts_behaviour))
        )
        if reviews_down:
            reviews_url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
        else:
            reviews_url = await exits.enter_async_context(
                serve_asgi(subgraph_app(REVIEWS_SUBGRAPH, reviews_behaviour))
            )
        urls = {"accounts": accounts_url + "/graphql", "reviews": reviews_url + "/graphql"}
        app = create_app(_supergraph(), RouterConfig(subgraph_urls=urls, **config))
        exits.push_async_callback(app.router.close)
        router_url = await exits.enter_async_context(serve_asgi(app))
        client = await exits.enter_async_context(httpx.AsyncClient(base_url=router_url, timeout=10))
        yield Stack(client, accounts_behaviour, reviews_behaviour)


async def test_joins_entities_across_subgraphs() -> None:
    async with stack() as s:
        status, body = await s.query("{ me { name reviews { body } } }")
    assert status == 200
    assert body == {
        "data": {"me": {"name": "Ada", "reviews": [{"body": "Love it"}, {"body": "Too pricey"}]}}
    }


async def test_entity_error_path_is_rewritten_and_masked() -> None:
    async with stack() as s:
        _, body = await s.query("{ users { name reviews { body } } }")
    assert body["data"]["users"][1] == {"name": "Alan", "reviews": None}
    assert body["data"]["users"][2] == {"name": "Grace", "reviews": []}
    assert body["errors"] == [
        {
            "message": "reviews of user 2 are private",
            "path": ["users", 1, "reviews"],
            "extensions": {"code": "FORBIDDEN", "serviceName": "reviews"},
        }
    ]


async def test_subgraph_errors_can_be_exposed() -> None:
    async with stack(expose_subgraph_errors=True) as s:
        _, body = await s.query("{ users { reviews { body } } }")
    assert body["errors"][0]["extensions"]["exception"] == {"stacktrace": ["Traceback: secret"]}


async def test_null_in_non_null_position_nulls_nearest_nullable_parent() -> None:
    async with stack() as s:
        _, body = await s.query("{ users { name strictReviews { body } } }")
    # users is [User!]!: a null user bubbles up to `data`.
    assert body["data"] is None
    assert body["errors"][0]["path"] == ["users", 1, "strictReviews"]


async def test_subgraph_down_gives_partial_data() -> None:
    async with stack(reviews_down=True) as s:
        status, body = await s.query("{ me { name reviews { body } } }")
    assert status == 200
    assert body["data"] == {"me": {"name": "Ada", "reviews": None}}
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert error["message"].startswith("request to http://127.0.0.1:")
    assert "ECONNREFUSED" in error["message"]
    assert "path" not in error


async def test_subgraph_down_under_non_null_field() -> None:
    async with stack(reviews_down=True) as s:
        _, body = await s.query("{ me { name strictReviews { body } } }")
    assert body["data"] == {"me": None}
    assert len(body["errors"]) == 1


async def test_subgraph_timeout_per_subgraph() -> None:
    async with stack(reviews=Behaviour(delay=2.0), subgraph_timeouts={"reviews": 0.2}) as s:
        _, body = await s.query("{ me { name reviews { body } } }")
    assert body["data"] == {"me": {"name": "Ada", "reviews": None}}
    assert "Timeout" in body["errors"][0]["message"]


async def test_subgraph_answering_non_json() -> None:
    async with stack(reviews=Behaviour(raw_body=b"<html>oops</html>")) as s:
        _, body = await s.query("{ me { name reviews { body } } }")
    assert body["data"] == {"me": {"name": "Ada", "reviews": None}}
    assert (
        body["errors"][0]["message"]
        == "Expected JSON response body, but received: <html>oops</html>"
    )


async def test_subgraph_http_error_status() -> None:
    async with stack(reviews=Behaviour(status=503)) as s:
        _, body = await s.query("{ me { name reviews { body } } }")
    assert body["errors"][0]["message"].startswith("503")


async def test_forwards_configured_headers_only() -> None:
    async with stack() as s:
        await s.query(
            "{ me { name } }",
            headers={"Authorization": "Bearer t", "X-Request-Id": "r1", "Cookie": "c=1"},
        )
        seen = s.accounts.seen_headers[-1]
    assert seen["authorization"] == "Bearer t"
    assert seen["x-request-id"] == "r1"
    assert "cookie" not in seen


async def test_entities_deduplicated_in_one_request() -> None:
    async with stack() as s:
        _, body = await s.query("{ team { reviews { body } } }")
        entity_requests = [b for b in s.reviews.seen_bodies if "_entities" in b["query"]]
    assert len(entity_requests) == 1
    assert entity_requests[0]["variables"]["representations"] == [
        {"__typename": "User", "id": "1"},
        {"__typename": "User", "id": "3"},
    ]
    ada = {"reviews": [{"body": "Love it"}, {"body": "Too pricey"}]}
    assert body == {"data": {"team": [ada, {"reviews": []}, ada]}}


# GET is a simple request: the router's CSRF prevention wants a preflight-forcing header.
_PREFLIGHT = {"apollo-require-preflight": "true"}


async def test_http_contract() -> None:
    async with stack() as s:
        health = await s.client.get("/health")
        get = await s.client.get(
            "/graphql", params={"query": "{ me { name } }"}, headers=_PREFLIGHT
        )
        get_mutation = await s.client.get(
            "/graphql", params={"query": "mutation { x }"}, headers=_PREFLIGHT
        )
        parse_status, parse_body = await s.query("{ me {")
        invalid_status, invalid_body = await s.query("{ me { nope } }")
        _, plan_body = await s.query(
            "{ me { name } }", headers={"Apollo-Query-Plan-Experimental": "true"}
        )
        _, intro = await s.query("{ __typename __schema { queryType { name } } me { __typename } }")
    assert health.json() == {"status": "ok"}
    assert get.json() == {"data": {"me": {"name": "Ada"}}}
    assert get_mutation.status_code == 405  # GET only runs queries
    assert parse_status == 400
    assert parse_body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert invalid_status == 400
    assert invalid_body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert invalid_body["errors"][0]["message"].startswith(
        'Cannot query field "nope" on type "User".'
    )
    assert plan_body["extensions"]["queryPlan"].startswith(
        'QueryPlan {\n  Fetch(service: "accounts")'
    )
    assert intro["data"] == {
        "__typename": "Query",
        "__schema": {"queryType": {"name": "Query"}},
        "me": {"__typename": "User"},
    }


async def test_bad_variables_are_user_input_errors() -> None:
    async with stack() as s:
        status, body = await s.query(
            "query Q($b: Boolean!) { me { name @skip(if: $b) } }", variables={"b": "yes"}
        )
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_subgraph_error_type_is_available() -> None:
    # The test subgraphs raise SubgraphError for unknown entities; keep the import honest.
    assert SubgraphError("x", "C").extensions == {"code": "C"}
