"""The router served in-process over two small test subgraphs, with edge settings per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from router.app import RouterApp, create_app
from router.composition import SubgraphSource, compose
from router.config import RouterConfig
from tests.federation.testbed.subgraph import Subgraph
from tests.router.servers import Behaviour, serve_asgi, subgraph_app

__all__ = ["EdgeRouter", "serve_edge"]

_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])\n'
_DOCTORS = [{"__typename": "Doctor", "id": str(i), "name": f"doctor {i}"} for i in (1, 2, 3)]

DOCTORS = Subgraph(
    name="doctors",
    sdl=_LINK
    + """
type Query { doctors(first: Int = 10): [Doctor!]! doctor(id: ID!): Doctor }
type Mutation { rename(id: ID!, name: String!): Doctor }
type Doctor @key(fields: "id") { id: ID! name: String }
""",
    resolvers={
        "Query": {
            "doctors": lambda _r, _i, first=10: _DOCTORS[:first],
            "doctor": lambda _r, _i, id: next((d for d in _DOCTORS if d["id"] == id), None),
        },
        "Mutation": {
            "rename": lambda _r, _i, id, name: {"__typename": "Doctor", "id": id, "name": name}
        },
    },
)
STATS = Subgraph(
    name="stats",
    sdl=_LINK + 'type Doctor @key(fields: "id") { id: ID! patients: Int }\n',
    references={"Doctor": lambda rep: {**rep, "patients": 10 * int(rep["id"])}},
)


@dataclass
class EdgeRouter:
    url: str
    app: RouterApp
    behaviours: dict[str, Behaviour]


@asynccontextmanager
async def serve_edge(config: RouterConfig) -> AsyncIterator[EdgeRouter]:
    behaviours = {"doctors": Behaviour(), "stats": Behaviour()}
    async with (
        serve_asgi(subgraph_app(DOCTORS, behaviours["doctors"])) as doctors,
        serve_asgi(subgraph_app(STATS, behaviours["stats"])) as stats,
    ):
        sources = [
            SubgraphSource(name="doctors", url=f"{doctors}/graphql", sdl=DOCTORS.sdl),
            SubgraphSource(name="stats", url=f"{stats}/graphql", sdl=STATS.sdl),
        ]
        app = create_app(compose(sources), config)
        async with serve_asgi(app) as base:
            try:
                yield EdgeRouter(f"{base}/graphql", app, behaviours)
            finally:
                await app.router.close()
