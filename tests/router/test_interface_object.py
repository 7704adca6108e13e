"""Planner: interface entities and `@interfaceObject`."""

from __future__ import annotations

import pytest

from router.supergraph import Supergraph
from tests.router.planning import plan_text, snapshot, supergraph

pytestmark = pytest.mark.peers

SUBGRAPHS = {
    "media": """
type Query { media: [Media!]! }
interface Media @key(fields: "id") { id: ID! title: String! }
type Book implements Media @key(fields: "id") { id: ID! title: String! pages: Int }
type Movie implements Media @key(fields: "id") { id: ID! title: String! minutes: Int }
""",
    "ratings": """
type Query { topRated: [Media!]! }
type Media @key(fields: "id") @interfaceObject { id: ID! rating: Float }
""",
}


@pytest.fixture(scope="module")
def graph() -> Supergraph:
    return supergraph(**SUBGRAPHS)


def test_interface_object_field_from_interface(graph: Supergraph) -> None:
    """`rating` is fetched from the interface object, once for all runtime types."""
    query = "{ media { title rating } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "media") {
              {
                media {
                  __typename
                  ... on Book {
                    title
                    __typename
                    id
                  }
                  ... on Movie {
                    title
                    __typename
                    id
                  }
                }
              }
            },
            Flatten(path: "media.@") {
              Fetch(service: "ratings") {
                {
                  ... on Media {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Media {
                    rating
                  }
                }
              },
            },
          },
        }
        """
    )


def test_runtime_type_from_the_real_interface(graph: Supergraph) -> None:
    """ratings only knows `Media`: `__typename` and type conditions come from media."""
    query = "{ topRated { __typename rating ... on Book { pages } } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "ratings") {
              {
                topRated {
                  __typename
                  id
                  rating
                }
              }
            },
            Flatten(path: "topRated.@") {
              Fetch(service: "media") {
                {
                  ... on Media {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Media {
                    __typename
                    ... on Book {
                      pages
                    }
                  }
                }
              },
            },
          },
        }
        """
    )
