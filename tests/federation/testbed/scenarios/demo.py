"""The classic Apollo demo: accounts, products, reviews, inventory (@requires, @provides)."""

from __future__ import annotations

from typing import Any

from tests.federation.testbed.scenario import Scenario
from tests.federation.testbed.subgraph import Subgraph

__all__ = ["SCENARIO"]

_LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", '
    'import: ["@key", "@shareable", "@external", "@requires", "@provides"])\n'
)

USERS = {
    "1": {"id": "1", "name": "Ada Lovelace", "username": "@ada", "birthDate": "1815-12-10"},
    "2": {"id": "2", "name": "Alan Turing", "username": "@complete", "birthDate": "1912-06-23"},
    "3": {"id": "3", "name": "Grace Hopper", "username": "@grace", "birthDate": "1906-12-09"},
}
PRODUCTS = {
    "1": {"upc": "1", "name": "Table", "price": 899, "weight": 100},
    "2": {"upc": "2", "name": "Couch", "price": 1299, "weight": 1000},
    "3": {"upc": "3", "name": "Chair", "price": 54, "weight": 50},
    "4": {"upc": "4", "name": "Lamp", "price": 35, "weight": 4},
}
IN_STOCK = {"1": True, "2": False, "3": True, "4": True}
REVIEWS = [
    {"id": "1", "authorID": "1", "upc": "1", "body": "Love it!"},
    {"id": "2", "authorID": "1", "upc": "2", "body": "Too expensive."},
    {"id": "3", "authorID": "2", "upc": "3", "body": "Could be better."},
    {"id": "4", "authorID": "2", "upc": "1", "body": "Prefer something else."},
    {"id": "5", "authorID": "3", "upc": "1", "body": "Sturdy."},
]
# The reviews service keeps its own copy of usernames: what @provides lets the planner use.
REVIEW_USERNAMES = {"1": "@ada", "2": "@complete", "3": "@grace"}

accounts = Subgraph(
    name="accounts",
    sdl=_LINK
    + """
type Query {
  me: User
  user(id: ID!): User
  users: [User!]!
}

type User @key(fields: "id") {
  id: ID!
  name: String
  username: String @shareable
  birthDate: String
}
""",
    resolvers={
        "Query": {
            "me": lambda _r, _i: {"__typename": "User", **USERS["1"]},
            "user": lambda _r, _i, id: _user(id),
            "users": lambda _r, _i: [_user(k) for k in sorted(USERS)],
        }
    },
    references={"User": lambda rep: _user(rep["id"])},
)


def _user(user_id: str) -> dict[str, Any] | None:
    user = USERS.get(user_id)
    return {"__typename": "User", **user} if user else None


def _product(upc: str) -> dict[str, Any] | None:
    product = PRODUCTS.get(upc)
    return {"__typename": "Product", **product} if product else None


products = Subgraph(
    name="products",
    sdl=_LINK
    + """
type Query {
  topProducts(first: Int = 5): [Product]
  product(upc: String!): Product
}

type Product @key(fields: "upc") {
  upc: String!
  name: String
  price: Int
  weight: Int
}
""",
    resolvers={
        "Query": {
            "topProducts": lambda _r, _i, first: [_product(u) for u in sorted(PRODUCTS)][:first],
            "product": lambda _r, _i, upc: _product(upc),
        }
    },
    references={"Product": lambda rep: _product(rep["upc"])},
)


def _shipping_estimate(product: dict[str, Any], _info: Any) -> int | None:
    # Only computable when the gateway passed the @requires fields in the representation.
    price, weight = product.get("price"), product.get("weight")
    if price is None or weight is None:
        return None
    return 0 if price > 1000 else weight // 2


def _inventory_product(rep: dict[str, Any]) -> dict[str, Any] | None:
    if rep["upc"] not in PRODUCTS:
        return None
    return {
        **rep,
        "inStock": IN_STOCK[rep["upc"]],
    }


inventory = Subgraph(
    name="inventory",
    sdl=_LINK
    + """
type Product @key(fields: "upc") {
  upc: String!
  weight: Int @external
  price: Int @external
  inStock: Boolean
  shippingEstimate: Int @requires(fields: "price weight")
}
""",
    resolvers={"Product": {"shippingEstimate": _shipping_estimate}},
    references={"Product": _inventory_product},
)


def _review(review: dict[str, Any]) -> dict[str, Any]:
    return {
        "__typename": "Review",
        "id": review["id"],
        "body": review["body"],
        "author": {"__typename": "User", "id": review["authorID"]},
        "product": {"__typename": "Product", "upc": review["upc"]},
    }


def _delivery_note(product: dict[str, Any], _info: Any) -> str:
    # Requires a field (shippingEstimate) that itself @requires fields of a third subgraph.
    if not product.get("inStock"):
        return "back-ordered"
    estimate = product.get("shippingEstimate")
    return "free shipping" if estimate == 0 else f"ships for {estimate}"


def _reviews_by(key: str, value: str) -> list[dict[str, Any]]:
    return [_review(r) for r in REVIEWS if r[key] == value]


reviews = Subgraph(
    name="reviews",
    sdl=_LINK
    + """
type Query {
  topReviews(first: Int = 3): [Review]
}

type Review @key(fields: "id") {
  id: ID!
  body: String
  author: User @provides(fields: "username")
  product: Product
}

type User @key(fields: "id") {
  id: ID!
  username: String @external
  reviews: [Review]
  numberOfReviews: Int
}

type Product @key(fields: "upc") {
  upc: String!
  reviews: [Review]
  shippingEstimate: Int @external
  inStock: Boolean @external
  deliveryNote: String @requires(fields: "shippingEstimate inStock")
}
""",
    # Entity fields are computed from the key, so an object reached inside this subgraph and one
    # reached through `_entities` answer alike.
    resolvers={
        "Query": {"topReviews": lambda _r, _i, first: [_review(r) for r in REVIEWS][:first]},
        "User": {
            "username": lambda user, _i: REVIEW_USERNAMES.get(user["id"]),
            "reviews": lambda user, _i: _reviews_by("authorID", user["id"]),
            "numberOfReviews": lambda user, _i: len(_reviews_by("authorID", user["id"])),
        },
        "Product": {
            "reviews": lambda product, _i: _reviews_by("upc", product["upc"]),
            "deliveryNote": _delivery_note,
        },
    },
    references={
        "Review": lambda rep: next((_review(r) for r in REVIEWS if r["id"] == rep["id"]), None),
        "User": lambda rep: {"__typename": "User", "id": rep["id"]},
        "Product": lambda rep: {**rep, "__typename": "Product"},
    },
)

SCENARIO = Scenario(name="demo", subgraphs=(accounts, products, inventory, reviews))
