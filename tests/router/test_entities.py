"""Planner: entity jumps through `@key` (multiple, compound and nested keys, chains, lists of lists)."""

from __future__ import annotations

import pytest

from router.supergraph import Supergraph
from tests.router.planning import plan_text, snapshot, supergraph

pytestmark = pytest.mark.peers

SUBGRAPHS = {
    "accounts": """
type Query { me: User users: [User!]! }
type User @key(fields: "id") { id: ID! name: String }
""",
    "reviews": """
type User @key(fields: "id") { id: ID! reviews: [Review!]! }
type Review @key(fields: "id") { id: ID! body: String product: Product }
type Product @key(fields: "upc") { upc: String! }
""",
    "products": """
type Query { topProducts: [Product] }
type Product @key(fields: "upc") @key(fields: "sku region { code }") {
  upc: String! sku: String! region: Region! name: String matrix: [[Cell]]
}
type Region @shareable { code: String! }
type Cell @key(fields: "id") { id: ID! }
""",
    "inventory": """
type Product @key(fields: "sku region { code }") { sku: String! region: Region! stock: Int }
type Region @shareable { code: String! }
type Cell @key(fields: "id") { id: ID! color: String }
""",
}


@pytest.fixture(scope="module")
def graph() -> Supergraph:
    return supergraph(**SUBGRAPHS)


def test_single_root_fetch(graph: Supergraph) -> None:
    """Fields of one subgraph need one fetch."""
    query = "{ me { id name } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Fetch(service: "accounts") {
            {
              me {
                id
                name
              }
            }
          },
        }
        """
    )


def test_one_jump(graph: Supergraph) -> None:
    """A field of another subgraph is fetched through `_entities` with the key."""
    query = "{ me { name reviews { body } } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "accounts") {
              {
                me {
                  name
                  __typename
                  id
                }
              }
            },
            Flatten(path: "me") {
              Fetch(service: "reviews") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    reviews {
                      body
                    }
                  }
                }
              },
            },
          },
        }
        """
    )


def test_chain_three_deep_with_nested_compound_key(graph: Supergraph) -> None:
    """accounts → reviews → products → inventory; the compound nested key comes from products."""
    query = "{ users { reviews { product { name stock } } } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "accounts") {
              {
                users {
                  __typename
                  id
                }
              }
            },
            Flatten(path: "users.@") {
              Fetch(service: "reviews") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    reviews {
                      product {
                        __typename
                        upc
                      }
                    }
                  }
                }
              },
            },
            Flatten(path: "users.@.reviews.@.product") {
              Fetch(service: "products") {
                {
                  ... on Product {
                    __typename
                    upc
                  }
                } =>
                {
                  ... on Product {
                    name
                    sku
                    region {
                      code
                    }
                  }
                }
              },
            },
            Flatten(path: "users.@.reviews.@.product") {
              Fetch(service: "inventory") {
                {
                  ... on Product {
                    __typename
                    sku
                    region {
                      code
                    }
                  }
                } =>
                {
                  ... on Product {
                    stock
                  }
                }
              },
            },
          },
        }
        """
    )


def test_lists_of_lists(graph: Supergraph) -> None:
    """Entities inside a list of lists flatten with one `@` per list level."""
    query = "{ topProducts { matrix { color } } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "products") {
              {
                topProducts {
                  matrix {
                    __typename
                    id
                  }
                }
              }
            },
            Flatten(path: "topProducts.@.matrix.@.@") {
              Fetch(service: "inventory") {
                {
                  ... on Cell {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Cell {
                    color
                  }
                }
              },
            },
          },
        }
        """
    )


def test_parallel_roots(graph: Supergraph) -> None:
    """Root fields of different subgraphs run in parallel."""
    query = "{ me { name } topProducts { name } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Parallel {
            Fetch(service: "accounts") {
              {
                me {
                  name
                }
              }
            },
            Fetch(service: "products") {
              {
                topProducts {
                  name
                }
              }
            },
          },
        }
        """
    )


def test_aliases_and_fragments(graph: Supergraph) -> None:
    """Client aliases and fragments are kept in the subgraph selections."""
    query = "query Q { who: me { ...F } } fragment F on User { n: name reviews { b: body } }"
    assert plan_text(graph, query, "Q") == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "accounts") {
              {
                who: me {
                  n: name
                  __typename
                  id
                }
              }
            },
            Flatten(path: "who") {
              Fetch(service: "reviews") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    reviews {
                      b: body
                    }
                  }
                }
              },
            },
          },
        }
        """
    )


def test_key_field_dodges_client_alias(graph: Supergraph) -> None:
    """The client uses `sku` as an alias: the key field is fetched as `sku_internal_`, sent as `sku`."""
    query = "{ topProducts { sku: name stock } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "products") {
              {
                topProducts {
                  sku: name
                  __typename
                  sku_internal_: sku
                  region {
                    code
                  }
                }
              }
            },
            Flatten(path: "topProducts.@") {
              Fetch(service: "inventory") {
                {
                  ... on Product {
                    __typename
                    sku_internal_: sku
                    region {
                      code
                    }
                  }
                } =>
                {
                  ... on Product {
                    stock
                  }
                }
              },
            },
          },
        }
        """
    )
