"""Abstract types across subgraphs: an interface entity, `@interfaceObject`, unions and interfaces
whose members live in several subgraphs, `@override`, `@inaccessible`, shareable value types."""

from __future__ import annotations

from typing import Any

from tests.federation.testbed.scenario import Scenario
from tests.federation.testbed.subgraph import Subgraph, SubgraphError

__all__ = ["SCENARIO"]

_LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", '
    '"@shareable", "@inaccessible", "@override", "@interfaceObject", "@external"])\n'
)

MEDIA: dict[str, dict[str, Any]] = {
    "b1": {"kind": "Book", "title": "Dune", "pages": 412, "creator": "c1"},
    "b2": {"kind": "Book", "title": "Emma", "pages": 474, "creator": "c2"},
    "m1": {"kind": "Movie", "title": "Alien", "minutes": 117, "creator": "c3", "gross": 106},
    "m2": {"kind": "Movie", "title": "Heat", "minutes": 170, "creator": "c4", "gross": 187},
}
CREATORS = {
    "c1": ("Frank Herbert", "FH-01"),
    "c2": ("Jane Austen", "JA-02"),
    "c3": ("Ridley Scott", "RS-03"),
    "c4": ("Michael Mann", "MM-04"),
}
RATINGS = {"b1": (4.6, 1200), "b2": (4.1, 800), "m1": (4.4, 5000), "m2": (None, 0)}
PRICES = {"b1": 18, "b2": 9, "m1": 12, "m2": 14}
GIFT_CARDS = [{"code": "GIFT-25", "amount": 25}, {"code": "GIFT-50", "amount": 50}]


def _media(media_id: str) -> dict[str, Any] | None:
    item = MEDIA.get(media_id)
    if item is None:
        return None
    result: dict[str, Any] = {"__typename": item["kind"], "id": media_id, "title": item["title"]}
    creator = {"__typename": "Creator", "id": item["creator"]}
    if item["kind"] == "Book":
        result |= {"pages": item["pages"], "author": creator}
    else:
        result |= {
            "minutes": item["minutes"],
            "director": creator,
            "boxOffice": {"amount": item["gross"], "currency": "USD"},
        }
    return result


def _creator(creator_id: str) -> dict[str, Any] | None:
    if creator_id not in CREATORS:
        return None
    name, code = CREATORS[creator_id]
    # The media subgraph's `name` lost to @override: a wrong plan shows this stale value.
    return {
        "__typename": "Creator",
        "id": creator_id,
        "name": f"stale {name}",
        "internalCode": code,
    }


def _search(term: str) -> list[dict[str, Any]]:
    needle = term.lower()
    found: list[dict[str, Any]] = [
        m for k, v in MEDIA.items() if needle in v["title"].lower() and (m := _media(k))
    ]
    found += [c for k, (n, _) in CREATORS.items() if needle in n.lower() and (c := _creator(k))]
    return found


def _featured(_root: Any, _info: Any, id: str) -> dict[str, Any] | None:
    if id == "broken":
        raise SubgraphError("featured item is broken", code="MEDIA_BROKEN")
    return _media(id)


media = Subgraph(
    name="media",
    sdl=_LINK
    + """
interface Media @key(fields: "id") {
  id: ID!
  title: String!
}

type Book implements Media @key(fields: "id") {
  id: ID!
  title: String!
  pages: Int!
  author: Creator!
}

type Movie implements Media @key(fields: "id") {
  id: ID!
  title: String!
  minutes: Int!
  director: Creator!
  boxOffice: Money
}

type Creator @key(fields: "id") {
  id: ID!
  name: String!
  internalCode: String @inaccessible
}

type Money @shareable {
  amount: Int!
  currency: Currency!
}

enum Currency { EUR USD }

union SearchResult = Book | Movie | Creator

type Query {
  media: [Media!]!
  mediaItem(id: ID!): Media
  featured(id: ID!): Media
  search(term: String!, debug: Boolean @inaccessible): [SearchResult!]!
}
""",
    resolvers={
        "Query": {
            "media": lambda _r, _i: [_media(k) for k in MEDIA],
            "mediaItem": lambda _r, _i, id: _media(id),
            "featured": _featured,
            "search": lambda _r, _i, term, debug=False: _search(term),
        }
    },
    references={
        # "Media" arrives from the @interfaceObject subgraph: answer with the concrete type.
        "Media": lambda rep: _media(rep["id"]),
        "Book": lambda rep: _media(rep["id"]),
        "Movie": lambda rep: _media(rep["id"]),
        "Creator": lambda rep: _creator(rep["id"]),
    },
)


def _rated(media_id: str) -> dict[str, Any] | None:
    if media_id not in RATINGS:
        return None
    rating, votes = RATINGS[media_id]
    return {"__typename": "Media", "id": media_id, "rating": rating, "votes": votes}


ratings = Subgraph(
    name="ratings",
    sdl=_LINK
    + """
type Media @key(fields: "id") @interfaceObject {
  id: ID!
  rating: Float
  votes: Int!
}

type Query {
  topRated(limit: Int = 3): [Media!]!
}
""",
    resolvers={
        "Query": {
            "topRated": lambda _r, _i, limit: [
                _rated(k)
                for k in sorted(RATINGS, key=lambda k: -(RATINGS[k][0] or 0))[: max(limit, 0)]
            ]
        }
    },
    references={"Media": lambda rep: _rated(rep["id"])},
)


def _money(amount: int, currency: str = "EUR") -> dict[str, Any]:
    return {"amount": amount, "currency": currency}


def _priced(media_id: str) -> dict[str, Any] | None:
    if media_id not in PRICES:
        return None
    kind = MEDIA[media_id]["kind"]
    result = {"__typename": kind, "id": media_id, "price": _money(PRICES[media_id])}
    if kind == "Movie":
        result["rentalPrice"] = _money(PRICES[media_id] // 4) if media_id == "m1" else None
    return result


def _gift_card(card: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": "GiftCard", "code": card["code"], "price": _money(card["amount"])}


shop = Subgraph(
    name="shop",
    sdl=_LINK
    + """
type Money @shareable {
  amount: Int!
  currency: Currency!
}

enum Currency { EUR USD }

interface Priced {
  price: Money!
}

type Book implements Priced @key(fields: "id") {
  id: ID!
  price: Money!
}

type Movie implements Priced @key(fields: "id") {
  id: ID!
  price: Money!
  rentalPrice: Money
}

type GiftCard implements Priced {
  code: String!
  price: Money!
}

type Creator @key(fields: "id") {
  id: ID!
  name: String! @override(from: "media")
}

union SearchResult = Book | GiftCard

type Query {
  deals: [SearchResult!]!
  priced: [Priced!]!
}
""",
    resolvers={
        "Query": {
            "deals": lambda _r, _i: [_priced("b2"), _gift_card(GIFT_CARDS[0]), _priced("b1")],
            "priced": lambda _r, _i: [
                _priced("m1"),
                _gift_card(GIFT_CARDS[1]),
                _priced("b1"),
                _priced("m2"),
            ],
        }
    },
    references={
        "Book": lambda rep: _priced(rep["id"]),
        "Movie": lambda rep: _priced(rep["id"]),
        "Creator": lambda rep: (
            {
                "__typename": "Creator",
                "id": rep["id"],
                "name": CREATORS[rep["id"]][0],
            }
            if rep["id"] in CREATORS
            else None
        ),
    },
)

SCENARIO = Scenario(name="abstract", subgraphs=(media, ratings, shop))
