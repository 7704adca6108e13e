"""Fast synthetic federation subgraphs (accounts, products, reviews) for the gateway benchmark.

One raw ASGI app serves all three subgraphs at `/accounts`, `/products` and `/reviews`. Every
request is executed for real by graphql-core against the subgraph's schema (including
`_entities` by representation and `_service { sdl }`), and the response bytes are memoised by
the exact request body: the data is static, so the same body always has the same answer, and
under load the subgraphs cost a dict lookup — the gateway's own work dominates.

    uv run uvicorn bench.synthetic:app --loop uvloop --http httptools --port N

`BENCH_RECORD_FILE=path` appends every newly seen request (`{"subgraph", "body"}` per line), so
the benchmark can replay a gateway's subgraph requests to measure their critical path directly.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
from graphql import GraphQLSchema, build_schema, graphql_sync

__all__ = [
    "N_PRODUCTS",
    "N_USERS",
    "SUBGRAPH_SDL",
    "app",
    "build_subgraph_schema",
    "execute",
    "expected_benchmark_data",
]

N_USERS = 100
N_PRODUCTS = 200
REVIEWS_PER_PRODUCT = 5
FAVORITES_PER_USER = 6
_LOREM = (
    "Solid build, arrived on time; would buy again. The manual could be clearer about setup steps."
)

_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'

SUBGRAPH_SDL: dict[str, str] = {
    "accounts": _LINK
    + """
type Query { me: User users(first: Int = 10): [User!]! }
type User @key(fields: "id") {
  id: ID!
  username: String!
  name: String!
  email: String!
  favorites: [Product!]!
}
type Product @key(fields: "upc", resolvable: false) { upc: String! }
""",
    "products": _LINK
    + """
type Query { topProducts(first: Int = 5): [Product!]! product(upc: String!): Product }
type Product @key(fields: "upc") { upc: String! name: String! price: Int! weight: Int! }
""",
    "reviews": _LINK
    + """
type Review { id: ID! body: String! rating: Int! author: User! product: Product! }
type User @key(fields: "id") { id: ID! reviews: [Review!]! }
type Product @key(fields: "upc") { upc: String! reviews: [Review!]! }
""",
}

# What graphql-core needs to execute a federation subgraph (composition only sees SUBGRAPH_SDL).
_PRELUDE = """
scalar _Any
scalar FieldSet
scalar link__Import
directive @link(url: String!, import: [link__Import]) repeatable on SCHEMA
directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
type _Service { sdl: String }
"""
_ENTITIES = {"accounts": ["User"], "products": ["Product"], "reviews": ["User", "Product"]}

Obj = dict[str, Any]


def _user(uid: int) -> Obj:
    return {
        "__typename": "User",
        "id": f"u{uid}",
        "username": f"user{uid}",
        "name": f"User Number {uid}",
        "email": f"user{uid}@example.com",
        "favorites": [
            {"__typename": "Product", "upc": f"p{(uid * 13 + k * 29) % N_PRODUCTS}"}
            for k in range(FAVORITES_PER_USER)
        ],
    }


def _product(pid: int) -> Obj:
    return {
        "__typename": "Product",
        "upc": f"p{pid}",
        "name": f"Product {pid} deluxe edition",
        "price": 100 + (pid * 7) % 900,
        "weight": 1 + pid % 40,
    }


def _review(rid: int) -> Obj:
    return {
        "id": f"r{rid}",
        "body": f"Review {rid}: {_LOREM}",
        "rating": 1 + rid % 5,
        "author": {"__typename": "User", "id": f"u{(rid * 37) % N_USERS}"},
        "product": {"__typename": "Product", "upc": f"p{rid // REVIEWS_PER_PRODUCT}"},
    }


_REVIEWS = [_review(r) for r in range(N_PRODUCTS * REVIEWS_PER_PRODUCT)]


def _index(raw: str, prefix: str, size: int) -> int | None:
    """`u12` → 12 when it names an existing row, else None (unknown keys resolve to null)."""
    if not raw.startswith(prefix) or not raw[len(prefix) :].isdigit():
        return None
    number = int(raw[len(prefix) :])
    return number if number < size else None


def _resolve_reference(subgraph: str, rep: Mapping[str, Any]) -> Obj | None:
    typename = rep.get("__typename")
    if subgraph == "accounts" and typename == "User":
        uid = _index(str(rep.get("id", "")), "u", N_USERS)
        return None if uid is None else _user(uid)
    if subgraph == "products" and typename == "Product":
        pid = _index(str(rep.get("upc", "")), "p", N_PRODUCTS)
        return None if pid is None else _product(pid)
    if subgraph == "reviews" and typename == "User":
        uid = _index(str(rep.get("id", "")), "u", N_USERS)
        if uid is None:
            return None
        mine = [r for r in _REVIEWS if r["author"]["id"] == f"u{uid}"]
        return {"__typename": "User", "id": f"u{uid}", "reviews": mine}
    if subgraph == "reviews" and typename == "Product":
        pid = _index(str(rep.get("upc", "")), "p", N_PRODUCTS)
        if pid is None:
            return None
        first = pid * REVIEWS_PER_PRODUCT
        mine = _REVIEWS[first : first + REVIEWS_PER_PRODUCT]
        return {"__typename": "Product", "upc": f"p{pid}", "reviews": mine}
    raise ValueError(f"{subgraph} does not resolve entities of type {typename!r}")


def build_subgraph_schema(subgraph: str) -> GraphQLSchema:
    """The executable schema of one synthetic subgraph, with `_entities` and `_service`."""
    types = SUBGRAPH_SDL[subgraph].replace(_LINK, "")
    if "type Query" not in types:
        types += "type Query\n"
    runtime = (
        _PRELUDE
        + types
        + f"union _Entity = {' | '.join(_ENTITIES[subgraph])}\n"
        + "extend type Query { _entities(representations: [_Any!]!): [_Entity]! "
        + "_service: _Service! }\n"
    )
    schema = build_schema(runtime)
    query = schema.query_type
    assert query is not None
    fields = query.fields
    fields["_entities"].resolve = lambda _root, _info, representations: [
        _resolve_reference(subgraph, rep) for rep in representations
    ]
    fields["_service"].resolve = lambda *_: {"sdl": SUBGRAPH_SDL[subgraph]}
    entity = schema.get_type("_Entity")
    entity.resolve_type = lambda obj, *_: obj["__typename"]  # type: ignore[union-attr]
    if subgraph == "accounts":
        fields["me"].resolve = lambda *_: _user(1)
        fields["users"].resolve = lambda _r, _i, first: [_user(u) for u in range(first)]
    if subgraph == "products":
        fields["topProducts"].resolve = lambda _r, _i, first: [
            _product(p) for p in range(min(first, N_PRODUCTS))
        ]
        fields["product"].resolve = lambda _r, _i, upc: _resolve_reference(
            "products", {"__typename": "Product", "upc": upc}
        )
    return schema


_SCHEMAS = {name: build_subgraph_schema(name) for name in SUBGRAPH_SDL}


def execute(subgraph: str, body: bytes) -> bytes:
    """Execute one GraphQL-over-HTTP request body against `subgraph`; the JSON response bytes."""
    request = orjson.loads(body)
    result = graphql_sync(
        _SCHEMAS[subgraph],
        request["query"],
        variable_values=request.get("variables"),
        operation_name=request.get("operationName"),
    )
    payload: Obj = {"data": result.data}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    return orjson.dumps(payload)


def expected_benchmark_data(first: int) -> Obj:
    """The `data` the benchmark query must return, computed straight from the data model.

    An oracle independent of any gateway: `topProducts(first) { upc name price reviews { id
    body rating author { id username name favorites { upc name price reviews { id rating } } } } }`.
    """

    def product_reviews(pid: int) -> list[Obj]:
        first_review = pid * REVIEWS_PER_PRODUCT
        return _REVIEWS[first_review : first_review + REVIEWS_PER_PRODUCT]

    def favorite(upc: str) -> Obj:
        pid = int(upc[1:])
        product = _product(pid)
        reviews = [{"id": r["id"], "rating": r["rating"]} for r in product_reviews(pid)]
        return {"upc": upc, "name": product["name"], "price": product["price"], "reviews": reviews}

    def author(uid: str) -> Obj:
        user = _user(int(uid[1:]))
        favorites = [favorite(p["upc"]) for p in user["favorites"]]
        return {
            "id": uid,
            "username": user["username"],
            "name": user["name"],
            "favorites": favorites,
        }

    def review(r: Obj) -> Obj:
        body = {"id": r["id"], "body": r["body"], "rating": r["rating"]}
        return {**body, "author": author(r["author"]["id"])}

    top = []
    for pid in range(min(first, N_PRODUCTS)):
        product = _product(pid)
        reviews = [review(r) for r in product_reviews(pid)]
        top.append(
            {
                "upc": product["upc"],
                "name": product["name"],
                "price": product["price"],
                "reviews": reviews,
            }
        )
    return {"topProducts": top}


_CACHE: dict[tuple[str, bytes], bytes] = {}
_RECORD = os.environ.get("BENCH_RECORD_FILE")
_HEADERS = [(b"content-type", b"application/json")]

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    """Raw ASGI: POST /<subgraph> with a GraphQL JSON body; GET /health."""
    if scope["type"] == "lifespan":
        while (message := await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    subgraph = scope["path"].strip("/")
    if subgraph == "health":
        await _respond(send, 200, b'{"status":"ok"}')
        return
    if subgraph not in _SCHEMAS or scope["method"] != "POST":
        await _respond(send, 404, b'{"error":"not found"}')
        return
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = b"".join(chunks)
    key = (subgraph, body)
    response = _CACHE.get(key)
    if response is None:
        try:
            response = execute(subgraph, body)
        except (orjson.JSONDecodeError, KeyError, TypeError) as error:
            await _respond(send, 400, orjson.dumps({"errors": [{"message": str(error)}]}))
            return
        _CACHE[key] = response
        if _RECORD:
            _record(_RECORD, subgraph, body)
    await _respond(send, 200, response)


def _record(path: str, subgraph: str, body: bytes) -> None:
    """Append a newly seen request (cold path only: seen bodies are answered from the cache)."""
    with open(path, "ab") as record:
        record.write(orjson.dumps({"subgraph": subgraph, "body": body.decode()}) + b"\n")


async def _respond(send: Send, status: int, body: bytes) -> None:
    headers = [*_HEADERS, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
