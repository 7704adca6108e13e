"""Planner: interfaces and unions whose members live in several subgraphs."""

from __future__ import annotations

import pytest

from router.supergraph import Supergraph
from tests.router.planning import plan_text, snapshot, supergraph

pytestmark = pytest.mark.peers

SUBGRAPHS = {
    "media": """
type Query { media: [Media!]! search: [Result!]! }
interface Media { id: ID! title: String! }
type Book implements Media @key(fields: "id") { id: ID! title: String! pages: Int }
type Movie implements Media @key(fields: "id") { id: ID! title: String! minutes: Int }
union Result = Book | Movie
""",
    "shop": """
type Query { deals: [Deal!]! }
union Deal = Book | GiftCard
type Book @key(fields: "id") { id: ID! price: Int }
type Movie @key(fields: "id") { id: ID! price: Int }
type GiftCard { code: String! amount: Int }
""",
}


@pytest.fixture(scope="module")
def graph() -> Supergraph:
    return supergraph(**SUBGRAPHS)


def test_interface_fields_all_local(graph: Supergraph) -> None:
    """Every implementation resolves `title` here: the selection stays on the interface."""
    query = "{ media { __typename id title } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Fetch(service: "media") {
            {
              media {
                __typename
                id
                title
              }
            }
          },
        }
        """
    )


def test_interface_field_needs_jump_per_type(graph: Supergraph) -> None:
    """`price` lives in shop: the selection expands to each runtime type, one `_entities` fetch."""
    query = "{ media { title ... on Book { price } ... on Movie { price minutes } } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "media") {
              {
                media {
                  __typename
                  title
                  ... on Book {
                    __typename
                    id
                  }
                  ... on Movie {
                    __typename
                    id
                    minutes
                  }
                }
              }
            },
            Flatten(path: "media.@") {
              Fetch(service: "shop") {
                {
                  ... on Book {
                    __typename
                    id
                  }
                  ... on Movie {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Book {
                    price
                  }
                  ... on Movie {
                    price
                  }
                }
              },
            },
          },
        }
        """
    )


def test_union_members_across_subgraphs(graph: Supergraph) -> None:
    """A union from shop: Book fields from media need a jump, GiftCard fields stay."""
    query = "{ deals { ... on Book { title price } ... on GiftCard { code } } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "shop") {
              {
                deals {
                  __typename
                  ... on Book {
                    __typename
                    id
                    price
                  }
                  ... on GiftCard {
                    code
                  }
                }
              }
            },
            Flatten(path: "deals.@") {
              Fetch(service: "media") {
                {
                  ... on Book {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Book {
                    title
                  }
                }
              },
            },
          },
        }
        """
    )


def test_fragment_on_interface_inside_union(graph: Supergraph) -> None:
    """A fragment on an interface inside a union becomes one per runtime type."""
    query = "{ search { ... on Media { title } ... on Book { price } } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "media") {
              {
                search {
                  __typename
                  ... on Book {
                    title
                    __typename
                    id
                  }
                  ... on Movie {
                    title
                  }
                }
              }
            },
            Flatten(path: "search.@") {
              Fetch(service: "shop") {
                {
                  ... on Book {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Book {
                    price
                  }
                }
              },
            },
          },
        }
        """
    )
