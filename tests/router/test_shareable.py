"""Planner: `@shareable` fields are taken from the subgraph already being fetched."""

from __future__ import annotations

import pytest

from router.supergraph import Supergraph
from tests.router.planning import plan_text, snapshot, supergraph

pytestmark = pytest.mark.peers

SUBGRAPHS = {
    "a": """
type Query { products: [Product] top: Product @shareable }
type Product @key(fields: "id") { id: ID! name: String @shareable price: Int }
""",
    "b": """
type Query { product(id: ID!): Product top: Product @shareable }
type Product @key(fields: "id") { id: ID! name: String @shareable rating: Int }
""",
}


@pytest.fixture(scope="module")
def graph() -> Supergraph:
    return supergraph(**SUBGRAPHS)


def test_shareable_stays_in_a(graph: Supergraph) -> None:
    """From `a`, `name` is resolved by `a` itself."""
    query = "{ products { name price } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Fetch(service: "a") {
            {
              products {
                name
                price
              }
            }
          },
        }
        """
    )


def test_shareable_stays_in_b(graph: Supergraph) -> None:
    """From `b`, `name` is resolved by `b` itself."""
    query = '{ product(id: "1") { name rating } }'
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Fetch(service: "b") {
            {
              product(id: "1") {
                name
                rating
              }
            }
          },
        }
        """
    )


def test_jump_only_for_owned_fields(graph: Supergraph) -> None:
    """Only `rating` (owned by `b`) needs a jump."""
    query = "{ products { name rating } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                products {
                  name
                  __typename
                  id
                }
              }
            },
            Flatten(path: "products.@") {
              Fetch(service: "b") {
                {
                  ... on Product {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Product {
                    rating
                  }
                }
              },
            },
          },
        }
        """
    )


def test_shareable_root_field_picks_the_subgraph_with_most_fields(graph: Supergraph) -> None:
    """`top` is in both: `b` answers `rating` too, so no jump is needed."""
    query = "{ top { name rating } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Fetch(service: "b") {
            {
              top {
                name
                rating
              }
            }
          },
        }
        """
    )
