"""Planner: `@provides` lets a subgraph answer external fields on that path only."""

from __future__ import annotations

import pytest

from router.supergraph import Supergraph
from tests.router.planning import plan_text, snapshot, supergraph

pytestmark = pytest.mark.peers

SUBGRAPHS = {
    "accounts": """
type Query { me: User }
type User @key(fields: "id") { id: ID! name: String @shareable username: String @shareable }
""",
    "reviews": """
type Query { topReviews: [Review] }
type Review { body: String author: User @provides(fields: "username") }
type User @key(fields: "id") { id: ID! username: String @external reviews: [Review] }
""",
}


@pytest.fixture(scope="module")
def graph() -> Supergraph:
    return supergraph(**SUBGRAPHS)


def test_provided_field_is_local(graph: Supergraph) -> None:
    """`username` is provided on `Review.author`: no jump."""
    query = "{ topReviews { author { username } } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Fetch(service: "reviews") {
            {
              topReviews {
                author {
                  username
                }
              }
            }
          },
        }
        """
    )


def test_non_provided_field_jumps(graph: Supergraph) -> None:
    """`name` is not provided: it needs a jump to accounts."""
    query = "{ topReviews { author { username name } } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Sequence {
            Fetch(service: "reviews") {
              {
                topReviews {
                  author {
                    username
                    __typename
                    id
                  }
                }
              }
            },
            Flatten(path: "topReviews.@.author") {
              Fetch(service: "accounts") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    name
                  }
                }
              },
            },
          },
        }
        """
    )


def test_provides_only_on_that_path(graph: Supergraph) -> None:
    """The field is provided wherever `Review.author` is selected, also after a jump into reviews."""
    query = "{ topReviews { author { reviews { author { id } } } } me { reviews { author { username } } } }"
    assert plan_text(graph, query) == snapshot(
        """
        QueryPlan {
          Parallel {
            Fetch(service: "reviews") {
              {
                topReviews {
                  author {
                    reviews {
                      author {
                        id
                      }
                    }
                  }
                }
              }
            },
            Sequence {
              Fetch(service: "accounts") {
                {
                  me {
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
                        author {
                          username
                        }
                      }
                    }
                  }
                },
              },
            },
          },
        }
        """
    )
