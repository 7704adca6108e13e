"""The public composition API: inputs, errors (codes and messages) and fetching live SDL."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
import strawberry
from aiohttp import web
from graphql import build_ast_schema, parse

from router.composition import CompositionError, SubgraphSource, compose, fetch_sdl
from tests.composition.corpus import fed
from tests.composition.project import project_case


def test_subgraph_source_is_frozen() -> None:
    source = SubgraphSource("a", "http://a", "type Query { a: Int }")
    with pytest.raises(dataclasses.FrozenInstanceError):
        source.name = "b"  # type: ignore[misc]


def test_supergraph_is_valid_graphql_with_join_metadata() -> None:
    sdl = compose(
        [
            SubgraphSource(
                "b", "http://b", fed('type User @key(fields: "id") { id: ID! age: Int }')
            ),
            SubgraphSource(
                "a",
                "http://a",
                fed('type Query { me: User } type User @key(fields: "id") { id: ID! }'),
            ),
        ]
    )
    build_ast_schema(parse(sdl))  # the supergraph declares every directive and type it uses
    assert '@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)' in sdl
    # Subgraphs are ordered by name whatever the input order, as Apollo does.
    assert sdl.index('A @join__graph(name: "a"') < sdl.index('B @join__graph(name: "b"')


def test_error_names_subgraph_type_and_field() -> None:
    with pytest.raises(CompositionError) as raised:
        compose(
            [
                SubgraphSource("left", "http://l", fed("type Query { a: Int }")),
                SubgraphSource("right", "http://r", fed("type Query { a: Int }")),
            ]
        )
    (issue,) = raised.value.errors
    assert issue.code == "INVALID_FIELD_SHARING"
    assert '"Query.a"' in issue.message
    assert '"left"' in issue.message
    assert '"right"' in issue.message


def test_every_issue_is_reported_at_once() -> None:
    with pytest.raises(CompositionError) as raised:
        compose(
            [
                SubgraphSource(
                    "a",
                    "http://a",
                    fed('type Query { t: T } type T @key(fields: "nope") { id: ID! }'),
                ),
                SubgraphSource("b", "http://b", "type Query { b: Int"),
            ]
        )
    assert set(raised.value.codes) == {"KEY_INVALID_FIELDS", "INVALID_GRAPHQL"}


def test_federation_1_sdl_gets_a_clear_error() -> None:
    with pytest.raises(CompositionError) as raised:
        compose(
            [
                SubgraphSource(
                    "old",
                    "http://o",
                    'type Query { a: Int } extend type T @key(fields: "id") { id: ID! }',
                )
            ]
        )
    assert raised.value.codes == ["UNSUPPORTED_FEDERATION_VERSION"]
    assert "Federation 1" in str(raised.value)


def test_duplicate_subgraph_names_are_rejected() -> None:
    same = SubgraphSource("a", "http://a", fed("type Query { a: Int }"))
    with pytest.raises(CompositionError):
        compose([same, same])


@strawberry.federation.type(keys=["id"])
class Widget:
    id: strawberry.ID
    name: str


@strawberry.type
class Query:
    @strawberry.field
    def widget(self) -> Widget:
        return Widget(id=strawberry.ID("1"), name="w")


_SCHEMA = strawberry.federation.Schema(query=Query)


@pytest.fixture
async def subgraph_url() -> AsyncIterator[str]:
    """A real Strawberry federation subgraph served over HTTP on a free local port."""

    async def graphql(request: web.Request) -> web.Response:
        body = await request.json()
        result = await _SCHEMA.execute(body["query"])
        payload: dict[str, object] = {"data": result.data}
        if result.errors:
            payload["errors"] = [{"message": e.message} for e in result.errors]
        return web.json_response(payload)

    app = web.Application()
    app.router.add_post("/graphql", graphql)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        await runner.cleanup()


async def test_fetch_sdl_from_a_live_subgraph_and_compose_it(subgraph_url: str) -> None:
    sdl = await fetch_sdl(subgraph_url)
    assert "type Widget" in sdl
    assert "_service" in sdl
    supergraph = compose([SubgraphSource("widgets", subgraph_url, sdl)])
    assert "_service" not in supergraph
    assert "_Entity" not in supergraph
    assert 'type Widget\n  @join__type(graph: WIDGETS, key: "id")' in supergraph


async def test_fetch_sdl_reports_http_failures(subgraph_url: str) -> None:
    with pytest.raises(RuntimeError, match="HTTP 404"):
        await fetch_sdl(subgraph_url.replace("/graphql", "/missing"))


def test_context_directives_are_refused_clearly() -> None:
    sdl = fed(
        'type Query { t: T } type T @key(fields: "id") @context(name: "ctx") { id: ID! u: U } '
        'type U @key(fields: "id") { id: ID! f(x: String @fromContext(field: "$ctx { id }")): Int }',
        "2.8",
        ["@key", "@context", "@fromContext"],
    )
    with pytest.raises(CompositionError) as raised:
        compose([SubgraphSource("a", "http://a", sdl)])
    assert raised.value.codes == ["UNSUPPORTED_FEATURE"]


def test_project_supergraph_loads_in_the_router() -> None:
    case = project_case()
    if case is None:
        pytest.skip("the project's subgraph schemas are not importable right now")
    from router.supergraph import Supergraph

    supergraph = Supergraph(compose([SubgraphSource(*s) for s in case.specs]))
    assert sorted(supergraph.graphs) == sorted(name for name, _ in case.subgraphs)
