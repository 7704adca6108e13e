"""Planner: mutation root fields run one after another, in order."""

from __future__ import annotations

import pytest

from router.supergraph import Supergraph
from tests.router.planning import plan_text, snapshot, supergraph

pytestmark = pytest.mark.peers

SUBGRAPHS = {
    "a": """
type Query { a: Int }
type Mutation { first: Item second: Item }
type Item @key(fields: "id") { id: ID! name: String }
""",
    "b": """
type Mutation { middle: Int }
type Item @key(fields: "id") { id: ID! extra: String }
""",
}


@pytest.fixture(scope="module")
def graph() -> Supergraph:
    return supergraph(**SUBGRAPHS)


def test_mutations_in_sequence(graph: Supergraph) -> None:
    """first and second stay apart because b's field runs between them."""
    query = "mutation { first { name } middle second { extra } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                first {
                  name
                }
              }
            },
            Fetch(service: "b") {
              {
                middle
              }
            },
            Fetch(service: "a") {
              {
                second {
                  __typename
                  id
                }
              }
            },
            Flatten(path: "second") {
              Fetch(service: "b") {
                {
                  ... on Item {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Item {
                    extra
                  }
                }
              },
            },
          },
        }
        """
    )


def test_consecutive_fields_share_a_fetch(graph: Supergraph) -> None:
    """Consecutive root fields of one subgraph share a fetch."""
    query = "mutation { first { id } second { id } middle }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                first {
                  id
                }
                second {
                  id
                }
              }
            },
            Fetch(service: "b") {
              {
                middle
              }
            },
          },
        }
        """
    )
