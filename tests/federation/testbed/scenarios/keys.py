"""Entity keys: multiple, compound and nested `@key`s, `resolvable: false`, 3-hop entity chains,
lists of lists of entities, and `@requires` on nested object fields."""

from __future__ import annotations

from typing import Any

from tests.federation.testbed.scenario import Scenario
from tests.federation.testbed.subgraph import Subgraph, SubgraphError

__all__ = ["SCENARIO"]

_LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", '
    'import: ["@key", "@shareable", "@external", "@requires"])\n'
)

REGIONS = ["EU", "US", "APAC"]  # served by two subgraphs (@shareable): identical everywhere
WAREHOUSES = [
    {"id": "w1", "slug": "north", "name": "North Hub"},
    {"id": "w2", "slug": "south", "name": "South Depot"},
    {"id": "w3", "slug": "east", "name": "East Annex"},
]
SKUS: list[dict[str, Any]] = [
    {"code": "A1", "region": "EU", "title": "Anvil (EU)", "weight": 12.5, "size": "L"},
    {"code": "A1", "region": "US", "title": "Anvil (US)", "weight": 27.5, "size": "L"},
    {"code": "B2", "region": "EU", "title": "Bolt", "weight": 0.25, "size": "S"},
    {"code": "C3", "region": "APAC", "title": "Crate", "weight": 3.0, "size": "M"},
]
SUPPLIERS = {("A1", "EU"): "p1", ("A1", "US"): "p2", ("B2", "EU"): "p3", ("C3", "APAC"): "p9"}
STOCK = {
    ("A1", "EU"): (7, "north"),
    ("A1", "US"): (0, "south"),
    ("B2", "EU"): (1200, "north"),
    ("C3", "APAC"): (35, "east"),
}
MANAGERS = {"north": "p2", "south": "p1", "east": None}
BIN_LABELS: dict[tuple[int, int], str | None] = {
    (1, 1): "cold-1",
    (1, 2): "dry-7",
    (2, 1): "cold-2",
    (2, 2): None,
}
BIN_SKUS: dict[tuple[int, int], list[tuple[str, str]]] = {
    (1, 1): [("A1", "EU")],
    (1, 2): [],
    (2, 1): [("B2", "EU"), ("C3", "APAC")],
    (2, 2): [],
}
BIN_ROWS: dict[str, list[list[tuple[int, int]]]] = {
    "north": [[(1, 1)], [(2, 1), (2, 2)]],
    "south": [],
    "east": [[(1, 2)], []],
}
SHELF_GRID: list[list[tuple[int, int] | None]] = [[(1, 1), (1, 2)], [(2, 1), None, (2, 2)], []]
PEOPLE: dict[str, dict[str, str | None]] = {
    "p1": {"name": "Mia", "mentor": "p2", "favorite": "w2"},
    "p2": {"name": "Noah", "mentor": "p3", "favorite": "w1"},
    "p3": {"name": "Olive", "mentor": None, "favorite": None},
}


def _warehouse(**match: str) -> dict[str, Any] | None:
    found = next((w for w in WAREHOUSES if all(w[k] == v for k, v in match.items())), None)
    return {"__typename": "Warehouse", **found} if found else None


def _sku(code: str, region: str) -> dict[str, Any] | None:
    found = next((s for s in SKUS if (s["code"], s["region"]) == (code, region)), None)
    if found is None:
        return None
    supplier = SUPPLIERS[(code, region)]
    return {
        "__typename": "Sku",
        "code": code,
        "region": region,
        "title": found["title"],
        "dimensions": {"weight": found["weight"], "size": found["size"]},
        "supplier": {"__typename": "Person", "id": supplier},
    }


def _bin(location: tuple[int, int] | None) -> dict[str, Any] | None:
    if location is None or location not in BIN_LABELS:
        return None
    aisle, shelf = location
    return {
        "__typename": "Bin",
        "location": {"aisle": aisle, "shelf": shelf},
        "label": BIN_LABELS[location],
    }


def _warehouse_reference(rep: dict[str, Any]) -> dict[str, Any] | None:
    # Two keys: the gateway may send either one.
    if "id" in rep:
        return _warehouse(id=rep["id"])
    return _warehouse(slug=rep["slug"])


catalog = Subgraph(
    name="catalog",
    sdl=_LINK
    + """
enum Region { EU US APAC }

type Query {
  regions: [Region!]! @shareable
  warehouses: [Warehouse!]!
  warehouse(id: ID, slug: String): Warehouse
  sku(code: String!, region: Region!): Sku
  skus: [Sku!]!
  shelfGrid: [[Bin]]!
}

type Warehouse @key(fields: "id") @key(fields: "slug") {
  id: ID!
  slug: String!
  name: String!
}

type Sku @key(fields: "code region") {
  code: String!
  region: Region!
  title: String!
  dimensions: Dimensions!
  supplier: Person
}

type Dimensions @shareable {
  weight: Float!
  size: String!
}

type Bin @key(fields: "location { aisle shelf }") {
  location: Location!
  label: String
}

type Location @shareable {
  aisle: Int!
  shelf: Int!
}

type Person @key(fields: "id", resolvable: false) {
  id: ID!
}
""",
    resolvers={
        "Query": {
            "regions": lambda _r, _i: REGIONS,
            "warehouses": lambda _r, _i: [_warehouse(id=w["id"]) for w in WAREHOUSES],
            "warehouse": lambda _r, _i, id=None, slug=None: (
                _warehouse(id=id) if id is not None else _warehouse(slug=slug or "")
            ),
            "sku": lambda _r, _i, code, region: _sku(code, region),
            "skus": lambda _r, _i: [_sku(s["code"], s["region"]) for s in SKUS],
            "shelfGrid": lambda _r, _i: [[_bin(loc) for loc in row] for row in SHELF_GRID],
        }
    },
    references={
        "Warehouse": _warehouse_reference,
        "Sku": lambda rep: _sku(rep["code"], rep["region"]),
        "Bin": lambda rep: _bin((rep["location"]["aisle"], rep["location"]["shelf"])),
    },
)


def _stock_sku(code: str, region: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"__typename": "Sku", "code": code, "region": region, **(extra or {})}


def _shipping_class(sku: dict[str, Any], _info: Any) -> str:
    # Needs the @requires'd nested `dimensions { weight size }` from the catalog.
    dimensions = sku["dimensions"]
    if dimensions["weight"] > 20:
        return f"freight-{dimensions['size']}"
    return f"parcel-{dimensions['size']}"


def _zone(bin_: dict[str, Any], _info: Any) -> str:
    label = bin_.get("label")
    return label.split("-")[0].upper() if label else "UNZONED"


def _temperature(bin_: dict[str, Any], _info: Any) -> float:
    location = (bin_["location"]["aisle"], bin_["location"]["shelf"])
    if location == (2, 2):
        # An error deep in a list of lists: its path must be rewritten to [..., 1, 2, ...].
        raise SubgraphError("sensor offline", code="SENSOR_OFFLINE")
    return 4.5 if (BIN_LABELS[location] or "").startswith("cold") else 19.0


def _stock_bin(location: tuple[int, int]) -> dict[str, Any]:
    aisle, shelf = location
    return {"__typename": "Bin", "location": {"aisle": aisle, "shelf": shelf}}


stock = Subgraph(
    name="stock",
    sdl=_LINK
    + """
enum Region { EU US APAC }

type Query {
  regions: [Region!]! @shareable
}

type Warehouse @key(fields: "slug") {
  slug: String!
  skus(minOnHand: Int = 0): [Sku!]!
  manager: Person
  binRows: [[Bin!]!]!
}

type Sku @key(fields: "code region") {
  code: String!
  region: Region!
  onHand: Int!
  warehouse: Warehouse!
  dimensions: Dimensions! @external
  shippingClass: String! @requires(fields: "dimensions { weight size }")
}

type Dimensions @shareable {
  weight: Float!
  size: String!
}

type Bin @key(fields: "location { aisle shelf }") {
  location: Location!
  skus: [Sku!]!
  label: String @external
  zone: String! @requires(fields: "label")
  temperature: Float
}

type Location @shareable {
  aisle: Int!
  shelf: Int!
}

type Person @key(fields: "id", resolvable: false) {
  id: ID!
}
""",
    resolvers={
        "Query": {"regions": lambda _r, _i: REGIONS},
        "Warehouse": {
            "skus": lambda w, _i, minOnHand: [
                _stock_sku(code, region)
                for (code, region), (on_hand, slug) in STOCK.items()
                if slug == w["slug"] and on_hand >= minOnHand
            ],
            "manager": lambda w, _i: (
                {"__typename": "Person", "id": MANAGERS[w["slug"]]}
                if MANAGERS.get(w["slug"])
                else None
            ),
            "binRows": lambda w, _i: [
                [_stock_bin(loc) for loc in row] for row in BIN_ROWS[w["slug"]]
            ],
        },
        "Sku": {
            "onHand": lambda s, _i: STOCK[(s["code"], s["region"])][0],
            "warehouse": lambda s, _i: {
                "__typename": "Warehouse",
                "slug": STOCK[(s["code"], s["region"])][1],
            },
            "shippingClass": _shipping_class,
        },
        "Bin": {
            "skus": lambda b, _i: [
                _stock_sku(code, region)
                for code, region in BIN_SKUS[(b["location"]["aisle"], b["location"]["shelf"])]
            ],
            "zone": _zone,
            "temperature": _temperature,
        },
    },
    references={
        "Warehouse": lambda rep: (
            {"__typename": "Warehouse", "slug": rep["slug"]} if rep["slug"] in MANAGERS else None
        ),
        "Sku": lambda rep: (
            _stock_sku(rep["code"], rep["region"], rep)
            if (rep["code"], rep["region"]) in STOCK
            else None
        ),
        "Bin": lambda rep: {"__typename": "Bin", **rep},
    },
)


def _person(person_id: str | None) -> dict[str, Any] | None:
    if person_id is None or person_id not in PEOPLE:
        return None
    return {"__typename": "Person", "id": person_id}


def _phone(person: dict[str, Any], _info: Any) -> str:
    if person["id"] == "p2":
        raise SubgraphError("phone number is private", code="PRIVATE")
    return f"+1-555-{person['id']}"


def _favorite(person: dict[str, Any], _info: Any) -> dict[str, Any] | None:
    favorite = PEOPLE[person["id"]]["favorite"]
    return {"__typename": "Warehouse", "id": favorite} if favorite else None


people = Subgraph(
    name="people",
    sdl=_LINK
    + """
type Query {
  people: [Person!]!
  person(id: ID!): Person
}

type Person @key(fields: "id") {
  id: ID!
  name: String!
  mentor: Person
  favoriteWarehouse: Warehouse
  phone: String
}

type Warehouse @key(fields: "id", resolvable: false) {
  id: ID!
}
""",
    resolvers={
        "Query": {
            "people": lambda _r, _i: [_person(p) for p in sorted(PEOPLE)],
            "person": lambda _r, _i, id: _person(id),
        },
        # Resolved through the key, so a mentor reached in this subgraph has every field.
        "Person": {
            "name": lambda p, _i: PEOPLE[p["id"]]["name"],
            "mentor": lambda p, _i: _person(PEOPLE[p["id"]]["mentor"]),
            "favoriteWarehouse": _favorite,
            "phone": _phone,
        },
    },
    references={"Person": lambda rep: _person(rep["id"])},
)

SCENARIO = Scenario(name="keys", subgraphs=(catalog, stock, people))
