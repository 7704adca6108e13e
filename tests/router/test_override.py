"""Planner: `@override` moves a field to its new owner only."""

from __future__ import annotations

import pytest

from router.supergraph import Supergraph
from tests.router.planning import plan_text, snapshot, supergraph

pytestmark = pytest.mark.peers

SUBGRAPHS = {
    "old": """
type Query { accounts: [Account] }
type Account @key(fields: "id") { id: ID! name: String }
""",
    "new": """
type Account @key(fields: "id") { id: ID! name: String @override(from: "old") tier: Int }
""",
}


@pytest.fixture(scope="module")
def graph() -> Supergraph:
    return supergraph(**SUBGRAPHS)


def test_overridden_field_goes_to_new_owner(graph: Supergraph) -> None:
    """`name` lost to `new`, so it is fetched there even though `old` has it."""
    query = "{ accounts { id name } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "old") {
              {
                accounts {
                  id
                  __typename
                }
              }
            },
            Flatten(path: "accounts.@") {
              Fetch(service: "new") {
                {
                  ... on Account {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Account {
                    name
                  }
                }
              },
            },
          },
        }
        """
    )
