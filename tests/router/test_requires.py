"""Planner: `@requires` (required fields fetched first, possibly through another jump)."""

from __future__ import annotations

import pytest

from router.supergraph import Supergraph
from tests.router.planning import plan_text, snapshot, supergraph

pytestmark = pytest.mark.peers

SUBGRAPHS = {
    "products": """
type Query { topProducts: [Product] }
type Product @key(fields: "upc") { upc: String! price: Int weight: Int dims: Dims }
type Dims @shareable { width: Int height: Int }
""",
    "inventory": """
type Product @key(fields: "upc") {
  upc: String! price: Int @external weight: Int @external dims: Dims @external
  shippingEstimate: Int @requires(fields: "price weight")
  boxSize: Int @requires(fields: "dims { width height }")
  inStock: Boolean
}
type Dims @shareable { width: Int height: Int }
""",
    "reviews": """
type Query { topReviews: [Review] }
type Review { body: String product: Product }
type Product @key(fields: "upc") { upc: String! }
""",
}


@pytest.fixture(scope="module")
def graph() -> Supergraph:
    return supergraph(**SUBGRAPHS)


def test_requires_from_parent_fetch(graph: Supergraph) -> None:
    """The required fields come along with the parent fetch and go into the representation."""
    query = "{ topProducts { shippingEstimate } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "products") {
              {
                topProducts {
                  __typename
                  upc
                  price
                  weight
                }
              }
            },
            Flatten(path: "topProducts.@") {
              Fetch(service: "inventory") {
                {
                  ... on Product {
                    __typename
                    upc
                    price
                    weight
                  }
                } =>
                {
                  ... on Product {
                    shippingEstimate
                  }
                }
              },
            },
          },
        }
        """
    )


def test_requires_with_plain_fields(graph: Supergraph) -> None:
    """Plain fields of the same subgraph share the fetch that carries the requires."""
    query = "{ topProducts { upc inStock shippingEstimate } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "products") {
              {
                topProducts {
                  upc
                  __typename
                  price
                  weight
                }
              }
            },
            Flatten(path: "topProducts.@") {
              Fetch(service: "inventory") {
                {
                  ... on Product {
                    __typename
                    upc
                    price
                    weight
                  }
                } =>
                {
                  ... on Product {
                    inStock
                    shippingEstimate
                  }
                }
              },
            },
          },
        }
        """
    )


def test_requires_nested_selection(graph: Supergraph) -> None:
    """A nested `@requires` selection is fetched and passed in the representation."""
    query = "{ topProducts { boxSize } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "products") {
              {
                topProducts {
                  __typename
                  upc
                  dims {
                    width
                    height
                  }
                }
              }
            },
            Flatten(path: "topProducts.@") {
              Fetch(service: "inventory") {
                {
                  ... on Product {
                    __typename
                    upc
                    dims {
                      width
                      height
                    }
                  }
                } =>
                {
                  ... on Product {
                    boxSize
                  }
                }
              },
            },
          },
        }
        """
    )


def test_requires_after_another_jump(graph: Supergraph) -> None:
    """From reviews, the required fields need a jump to products first; inventory waits for it."""
    query = "{ topReviews { product { shippingEstimate } } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "reviews") {
              {
                topReviews {
                  product {
                    __typename
                    upc
                  }
                }
              }
            },
            Flatten(path: "topReviews.@.product") {
              Fetch(service: "products") {
                {
                  ... on Product {
                    __typename
                    upc
                  }
                } =>
                {
                  ... on Product {
                    price
                    weight
                  }
                }
              },
            },
            Flatten(path: "topReviews.@.product") {
              Fetch(service: "inventory") {
                {
                  ... on Product {
                    __typename
                    upc
                    price
                    weight
                  }
                } =>
                {
                  ... on Product {
                    shippingEstimate
                  }
                }
              },
            },
          },
        }
        """
    )
