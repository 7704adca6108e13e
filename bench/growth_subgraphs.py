"""Synthetic subgraphs for benchmark 2 (cost growth): a chain of entity hops, s0 → s1 → … → s5.

`s0` lists `items(n)` of type `T0`; each `Tk` has `next: T(k+1)`, an entity owned by the next
subgraph, so `items { next { next { … } } }` nested d levels is a plan of d sequential
`_entities` fetches, each carrying n representations. Served like `bench/synthetic.py`: one raw
ASGI app (`/s0` … `/s5`), every request executed by graphql-core, answers memoised by request
body — so the router's own work is what grows with n and d.

    uv run uvicorn bench.growth_subgraphs:app --loop uvloop --http httptools --port N
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
from graphql import GraphQLSchema, build_schema, graphql_sync

__all__ = ["DEPTH", "SUBGRAPH_SDL", "app", "expected", "query"]

DEPTH = 5
_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'
_PRELUDE = """
scalar _Any
scalar FieldSet
scalar link__Import
directive @link(url: String!, import: [link__Import]) repeatable on SCHEMA
directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
type _Service { sdl: String }
"""

Obj = dict[str, Any]


def _sdl(k: int) -> str:
    root = "type Query { items(n: Int!): [T0!]! }\n" if k == 0 else ""
    nxt = f"next: T{k + 1}!" if k < DEPTH else ""
    stub = (
        f'type T{k + 1} @key(fields: "id", resolvable: false) {{ id: ID! }}\n' if k < DEPTH else ""
    )
    return (
        _LINK
        + root
        + f'type T{k} @key(fields: "id") {{ id: ID! name: String! value: Int! {nxt} }}\n'
        + stub
    )


SUBGRAPH_SDL: dict[str, str] = {f"s{k}": _sdl(k) for k in range(DEPTH + 1)}


def _node(k: int, i: int) -> Obj:
    node: Obj = {"__typename": f"T{k}", "id": f"{k}-{i}", "name": f"node {k}-{i}", "value": i * 7}
    if k < DEPTH:
        node["next"] = {"__typename": f"T{k + 1}", "id": f"{k + 1}-{i}"}
    return node


def _resolve(k: int, rep: Mapping[str, Any]) -> Obj | None:
    level, _, index = str(rep.get("id", "")).partition("-")
    if rep.get("__typename") != f"T{k}" or level != str(k) or not index.isdigit():
        return None
    return _node(k, int(index))


def _schema(k: int) -> GraphQLSchema:
    types = SUBGRAPH_SDL[f"s{k}"].replace(_LINK, "")
    if "type Query" not in types:
        types += "type Query\n"
    runtime = (
        _PRELUDE
        + types
        + f"union _Entity = T{k}\n"
        + "extend type Query { _entities(representations: [_Any!]!): [_Entity]! "
        + "_service: _Service! }\n"
    )
    schema = build_schema(runtime)
    assert schema.query_type is not None
    fields = schema.query_type.fields
    fields["_entities"].resolve = lambda _r, _i, representations: [
        _resolve(k, rep) for rep in representations
    ]
    fields["_service"].resolve = lambda *_: {"sdl": SUBGRAPH_SDL[f"s{k}"]}
    entity = schema.get_type("_Entity")
    entity.resolve_type = lambda obj, *_: obj["__typename"]  # type: ignore[union-attr]
    if k == 0:
        fields["items"].resolve = lambda _r, _i, n: [_node(0, i) for i in range(n)]
    return schema


_SCHEMAS = {f"s{k}": _schema(k) for k in range(DEPTH + 1)}


def query(depth: int) -> str:
    """`items(n)` with `depth` nested `next` hops, each level asking name and value."""
    inner = ""
    for _ in range(depth):
        inner = f" next {{ id name value{inner} }}"
    return f"query Growth($n: Int!) {{ items(n: $n) {{ id name{inner} }} }}"


def expected(n: int, depth: int) -> Obj:
    """The oracle: what `query(depth)` must return for `n`, from the data model alone."""

    def level(k: int, i: int) -> Obj:
        node = _node(k, i)
        out: Obj = {"id": node["id"], "name": node["name"]}
        if k > 0:
            out["value"] = node["value"]
        if k < depth:
            out["next"] = level(k + 1, i)
        return out

    return {"items": [level(0, i) for i in range(n)]}


def _execute(subgraph: str, body: bytes) -> bytes:
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


_CACHE: dict[tuple[str, bytes], bytes] = {}
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def _respond(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    """Raw ASGI: POST /s0 … /s5 with a GraphQL JSON body; GET /health."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
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
    response = _CACHE.get((subgraph, body))
    if response is None:
        response = _CACHE[(subgraph, body)] = _execute(subgraph, body)
    await _respond(send, 200, response)
