"""Search (accent- and case-insensitive, indexed), filters, sort and keyset pagination edges."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.directory.dataset import Dataset
from tests.directory.factories import code_of, gql, headers_for
from tests.support.stack import SubgraphStack

pytestmark = pytest.mark.asyncio(loop_scope="session")

INSTITUTIONS = """
query($filter: InstitutionFilterInput, $sort: InstitutionSortInput, $first: Int!, $after: String) {
  institutions(filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount
    edges { cursor node { name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
DOCTORS = """
query($filter: DoctorFilterInput, $sort: DoctorSortInput, $first: Int!, $after: String) {
  doctors(filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount edges { cursor node { firstName lastName } } pageInfo { hasNextPage endCursor }
  }
}"""


async def _institutions(
    stack: SubgraphStack, http: httpx.AsyncClient, dataset: Dataset, **args: Any
) -> dict[str, Any]:
    headers = await headers_for(stack, http, "patient")  # any authenticated caller
    scope = {"regions": list(dataset.regions), **args.pop("filter", {})}
    variables = {"filter": scope, "first": 20, **args}
    return await gql(stack, http, "institutions", INSTITUTIONS, variables, headers)


def _names(body: dict[str, Any]) -> list[str]:
    return [e["node"]["name"] for e in body["data"]["institutions"]["edges"]]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("sao", {"Clínica São Judas", "CLINICA SAO PEDRO"}),
        ("SÃO", {"Clínica São Judas", "CLINICA SAO PEDRO"}),
        ("clínica", {"Clínica São Judas", "CLINICA SAO PEDRO", "Clínica del Sol 100%"}),
        ("ÑANDU", {"Hospital Ñandú"}),
        ("penas", {"Centro de Salud Peñasco"}),
        ("angeles", {"Farmacia Ángeles"}),
        ("100%", {"Clínica del Sol 100%"}),  # % is literal, not a wildcard
        ("x_y", {"Instituto X_Y"}),  # so is _
        ("l_s", set()),
        ("nothing like this", set()),
    ],
)
async def test_institution_name_search(
    stack: SubgraphStack, http: httpx.AsyncClient, dataset: Dataset, term: str, expected: set[str]
) -> None:
    body = await _institutions(stack, http, dataset, filter={"name": term})
    assert set(_names(body)) == expected
    assert body["data"]["institutions"]["totalCount"] == len(expected)


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"types": ["PREVENTIVE_CLINIC"]}, 3),
        ({"types": ["HOSPITAL", "PHARMACY"]}, 2),
        ({"isVerified": True}, 4),
        ({"isVerified": False, "isActive": True}, 2),
        ({"isActive": False}, 1),
        ({"regionsOnlyFirst": True}, 4),
    ],
)
async def test_institution_filters(
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    dataset: Dataset,
    filter: dict[str, Any],
    expected: int,
) -> None:
    if filter.pop("regionsOnlyFirst", False):
        filter["regions"] = [dataset.region(1)]
    body = await _institutions(stack, http, dataset, filter=filter)
    assert body["data"]["institutions"]["totalCount"] == expected
    assert len(_names(body)) == expected


async def test_pages_walk_the_whole_result_once(
    stack: SubgraphStack, http: httpx.AsyncClient, dataset: Dataset
) -> None:
    everything = _names(await _institutions(stack, http, dataset, first=100))
    assert len(everything) == 7
    seen: list[str] = []
    after = None
    pages = []
    while True:
        body = await _institutions(stack, http, dataset, first=3, after=after)
        connection = body["data"]["institutions"]
        assert connection["totalCount"] == 7
        pages.append(connection["pageInfo"])
        seen += _names(body)
        after = connection["pageInfo"]["endCursor"]
        if not connection["pageInfo"]["hasNextPage"]:
            break
    assert seen == everything
    assert [p["hasPreviousPage"] for p in pages] == [False, True, True]
    assert [p["hasNextPage"] for p in pages] == [True, True, False]
    # The cursor after the last row: an empty page, not an error.
    body = await _institutions(stack, http, dataset, first=3, after=after)
    assert body["data"]["institutions"]["edges"] == []
    assert body["data"]["institutions"]["pageInfo"]["endCursor"] is None


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_sort_by_creation(
    stack: SubgraphStack, http: httpx.AsyncClient, dataset: Dataset, direction: str
) -> None:
    sort = {"field": "CREATED_AT", "direction": direction}
    first = await _institutions(stack, http, dataset, sort=sort, first=4)
    cursor = first["data"]["institutions"]["pageInfo"]["endCursor"]
    rest = await _institutions(stack, http, dataset, sort=sort, first=4, after=cursor)
    names = _names(first) + _names(rest)
    oldest_first = ["Clínica São Judas", "CLINICA SAO PEDRO", "Hospital Ñandú",
                    "Centro de Salud Peñasco", "Farmacia Ángeles", "Clínica del Sol 100%",
                    "Instituto X_Y"]  # fmt: skip
    assert names == (oldest_first if direction == "ASC" else oldest_first[::-1])


async def test_empty_result_and_zero_first(
    stack: SubgraphStack, http: httpx.AsyncClient, dataset: Dataset
) -> None:
    empty = await _institutions(stack, http, dataset, filter={"name": "no such place"})
    assert empty["data"]["institutions"] == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False,
                     "startCursor": None, "endCursor": None},
    }  # fmt: skip
    zero = await _institutions(stack, http, dataset, first=0)
    assert zero["data"]["institutions"]["edges"] == []
    assert zero["data"]["institutions"]["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"after": "not a cursor"}, "after"),
        ({"after": "eyJzIjoibmFtZTphc2MiLCJrIjpbXX0"}, "after"),  # right shape, wrong arity
        ({"first": 101}, "first"),
        ({"first": -1}, "first"),
    ],
)
async def test_bad_page_arguments(
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    dataset: Dataset,
    args: dict[str, Any],
    field: str,
) -> None:
    body = await _institutions(stack, http, dataset, **args)
    assert code_of(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == field


async def test_cursor_of_another_order_is_refused(
    stack: SubgraphStack, http: httpx.AsyncClient, dataset: Dataset
) -> None:
    by_name = await _institutions(stack, http, dataset, first=2)
    cursor = by_name["data"]["institutions"]["pageInfo"]["endCursor"]
    body = await _institutions(stack, http, dataset, first=2, after=cursor,
                               sort={"field": "CREATED_AT"})  # fmt: skip
    assert code_of(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "after"


async def test_search_is_anonymous_proof(
    stack: SubgraphStack, http: httpx.AsyncClient, dataset: Dataset
) -> None:
    body = await gql(stack, http, "institutions", INSTITUTIONS, {"first": 1})
    assert code_of(body) == "UNAUTHENTICATED"


async def _doctors(
    stack: SubgraphStack, http: httpx.AsyncClient, dataset: Dataset, **args: Any
) -> dict[str, Any]:
    headers = await headers_for(stack, http, "patient")
    scope = {"institutionIds": list(dataset.institutions.values()), **args.pop("filter", {})}
    return await gql(stack, http, "doctors", DOCTORS, {"filter": scope, "first": 20, **args},
                     headers)  # fmt: skip


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"name": "nunez"}, {"José Núñez", "JOSE NUNEZ"}),
        ({"name": "JOSÉ NÚ"}, {"José Núñez", "JOSE NUNEZ"}),  # across first and last name
        ({"name": "pena"}, {"María Peña"}),
        ({"specialties": ["Cardiology"]}, {"José Núñez", "JOSE NUNEZ", "Luis Gómez"}),
        ({"statuses": ["SUSPENDED"]}, {"JOSE NUNEZ"}),
        ({"licenseStatuses": ["VERIFIED"]}, {"José Núñez", "Luis Gómez", "Ana Ruiz"}),
        ({"licenseStatuses": ["PENDING", "REJECTED"]}, {"JOSE NUNEZ", "María Peña"}),
        ({"isActive": False}, {"Luis Gómez"}),
        ({"institutions": ["sao1"]}, {"JOSE NUNEZ", "Ana Ruiz"}),
        ({"name": "nunez", "statuses": ["ACTIVE"]}, {"José Núñez"}),
    ],
)
async def test_doctor_search_and_filters(  # noqa: PLR0917 - pytest passes fixtures positionally
    stack: SubgraphStack,
    http: httpx.AsyncClient,
    dataset: Dataset,
    specialties: dict[str, str],
    filter: dict[str, Any],
    expected: set[str],
) -> None:
    if "specialties" in filter:
        filter["specialtyIds"] = [specialties[s] for s in filter.pop("specialties")]
    if "institutions" in filter:
        filter["institutionIds"] = [dataset.institutions[k] for k in filter.pop("institutions")]
    body = await _doctors(stack, http, dataset, filter=filter)
    names = {f"{e['node']['firstName']} {e['node']['lastName']}"
             for e in body["data"]["doctors"]["edges"]}  # fmt: skip
    assert names == expected
    assert body["data"]["doctors"]["totalCount"] == len(expected)


async def test_doctor_pages_by_experience(
    stack: SubgraphStack, http: httpx.AsyncClient, dataset: Dataset
) -> None:
    sort = {"field": "YEARS_EXPERIENCE", "direction": "DESC"}
    first = await _doctors(stack, http, dataset, sort=sort, first=2)
    after = first["data"]["doctors"]["pageInfo"]["endCursor"]
    second = await _doctors(stack, http, dataset, sort=sort, first=10, after=after)
    names = [e["node"]["lastName"] for e in first["data"]["doctors"]["edges"]]
    names += [e["node"]["lastName"] for e in second["data"]["doctors"]["edges"]]
    assert names == ["Gómez", "Peña", "Núñez", "NUNEZ", "Ruiz"]
    assert second["data"]["doctors"]["pageInfo"]["hasNextPage"] is False


async def test_institution_doctors_paginate_per_institution(
    stack: SubgraphStack, http: httpx.AsyncClient, dataset: Dataset
) -> None:
    query = """query($r: [_Any!]!, $after: String) { _entities(representations: $r) {
      ... on Institution { doctorCount active: doctorCount(activeOnly: true)
        doctors(first: 2, after: $after) { totalCount edges { node { lastName } }
          pageInfo { hasNextPage endCursor } }
        pena: doctors(filter: {name: "PEÑA"}) { totalCount } } } }"""
    headers = await headers_for(stack, http, "patient")
    keys = ["nandu", "sao1", "angeles"]
    reps = [{"__typename": "Institution", "id": dataset.institutions[k]} for k in keys]
    body = await gql(stack, http, "doctors", query, {"r": reps}, headers)
    nandu, sao1, angeles = body["data"]["_entities"]
    assert (nandu["doctorCount"], nandu["active"], nandu["pena"]["totalCount"]) == (3, 2, 1)
    assert [e["node"]["lastName"] for e in nandu["doctors"]["edges"]] == ["Gómez", "Núñez"]
    assert nandu["doctors"]["pageInfo"]["hasNextPage"] is True
    assert sao1["doctors"]["totalCount"] == 2
    assert angeles["doctors"] == {
        "totalCount": 0, "edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None},
    }  # fmt: skip
    after = nandu["doctors"]["pageInfo"]["endCursor"]
    rest = await gql(stack, http, "doctors", query, {"r": reps[:1], "after": after}, headers)
    page = rest["data"]["_entities"][0]["doctors"]
    assert [e["node"]["lastName"] for e in page["edges"]] == ["Peña"]
    assert page["pageInfo"]["hasNextPage"] is False


def _where_sql(subgraph: str, term: str) -> str:
    """The WHERE clause the repository builds for a name search, with the term inlined."""
    from sqlalchemy.dialects import postgresql

    from subgraphs.doctors import repository as doctors
    from subgraphs.doctors.search import DoctorFilter
    from subgraphs.institutions import repository as institutions
    from subgraphs.institutions.search import InstitutionFilter

    if subgraph == "doctors":
        (clause,) = doctors.conditions(DoctorFilter(name=term))
    else:
        (clause,) = institutions.conditions(InstitutionFilter(name=term))
    compiled = clause.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    return str(compiled)


@pytest.mark.parametrize(
    ("table", "subgraph", "term", "index"),
    [
        ("institutions.institutions", "institutions", "sao ju", "ix_institutions_name_trgm"),
        ("doctors.doctors", "doctors", "jose nu", "ix_doctors_full_name_trgm"),
    ],
)
async def test_name_search_uses_the_trigram_index(  # noqa: PLR0917 - pytest passes fixtures positionally
    db: AsyncEngine, dataset: Dataset, table: str, subgraph: str, term: str, index: str
) -> None:
    """The exact expression the repository emits matches the index's expression."""
    sql = f"SELECT id FROM {table} WHERE {_where_sql(subgraph, term)}"
    async with db.connect() as conn:
        # The table is tiny: forbid the other plans so only a usable index can answer.
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            await conn.execute(text(f"SET LOCAL {setting} = off"))
        plan = "\n".join(r[0] for r in await conn.execute(text(f"EXPLAIN {sql}")))
    assert index in plan, plan
