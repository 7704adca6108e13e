"""Statistics checked against figures computed by hand from tests/directory/dataset.py."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.directory.dataset import Dataset
from tests.directory.factories import code_of, gql, headers_for
from tests.support.stack import SubgraphStack

pytestmark = pytest.mark.asyncio(loop_scope="session")

INSTITUTION_STATS = """query($filter: InstitutionFilterInput) { institutionStatistics(filter: $filter) {
  total verified unverified active
  byType { institutionType count }
  byRegion { region count }
  byTypeAndRegion { institutionType region count }
  newPerMonth { month count } } }"""
DOCTOR_STATS = """query($filter: DoctorFilterInput) { doctorStatistics(filter: $filter) {
  total active
  bySpecialty { specialty { name category } count }
  byInstitution { institution { id } count }
  bySpecialtyAndInstitution { specialty { name } institution { id } count }
  byStatus { status count }
  byLicenseStatus { status count } } }"""


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "UNAUTHENTICATED"),
        ("patient", "FORBIDDEN"),
        ("doctor", "FORBIDDEN"),
        ("institution", None),
        ("analyst", None),
        ("admin", None),
    ],
)
@pytest.mark.parametrize("subgraph", ["institutions", "doctors"])
async def test_who_reads_statistics(
    stack: SubgraphStack, http: httpx.AsyncClient, subgraph: str, role: str, expected: str | None
) -> None:
    query = INSTITUTION_STATS if subgraph == "institutions" else DOCTOR_STATS
    body = await gql(stack, http, subgraph, query, {}, await headers_for(stack, http, role))
    assert code_of(body) == expected


async def test_institution_statistics(
    stack: SubgraphStack, http: httpx.AsyncClient, dataset: Dataset
) -> None:
    r1, r2 = dataset.regions
    body = await gql(stack, http, "institutions", INSTITUTION_STATS,
                     {"filter": {"regions": [r1, r2]}},
                     await headers_for(stack, http, "analyst"))  # fmt: skip
    stats: dict[str, Any] = body["data"]["institutionStatistics"]
    assert (stats["total"], stats["verified"], stats["unverified"], stats["active"]) == (7, 4, 3, 6)
    assert stats["byType"] == [
        {"institutionType": "PREVENTIVE_CLINIC", "count": 3},
        {"institutionType": "HEALTH_CENTER", "count": 1},
        {"institutionType": "HOSPITAL", "count": 1},
        {"institutionType": "PHARMACY", "count": 1},
        {"institutionType": "RESEARCH", "count": 1},
    ]
    assert stats["byRegion"] == [{"region": r1, "count": 4}, {"region": r2, "count": 3}]
    assert stats["byTypeAndRegion"] == [
        {"institutionType": "HEALTH_CENTER", "region": r1, "count": 1},
        {"institutionType": "HOSPITAL", "region": r1, "count": 1},
        {"institutionType": "PHARMACY", "region": r2, "count": 1},
        # "Región Dos" sorts before "Región Uno".
        {"institutionType": "PREVENTIVE_CLINIC", "region": r2, "count": 2},
        {"institutionType": "PREVENTIVE_CLINIC", "region": r1, "count": 1},
        {"institutionType": "RESEARCH", "region": r1, "count": 1},
    ]
    assert stats["newPerMonth"] == [
        {"month": "2025-01-01", "count": 2},
        {"month": "2025-02-01", "count": 1},
        {"month": "2025-03-01", "count": 4},
    ]


async def test_institution_statistics_respect_the_filter(
    stack: SubgraphStack, http: httpx.AsyncClient, dataset: Dataset
) -> None:
    body = await gql(stack, http, "institutions", INSTITUTION_STATS,
                     {"filter": {"regions": list(dataset.regions), "isVerified": True,
                                 "name": "clinica"}},
                     await headers_for(stack, http, "admin"))  # fmt: skip
    stats = body["data"]["institutionStatistics"]
    # São Judas (region 1) and Sol 100% (region 2); SAO PEDRO is not verified.
    assert (stats["total"], stats["verified"], stats["unverified"]) == (2, 2, 0)
    assert stats["byRegion"] == [  # a tie: by region name
        {"region": dataset.region(2), "count": 1},
        {"region": dataset.region(1), "count": 1},
    ]


async def test_doctor_statistics(
    stack: SubgraphStack, http: httpx.AsyncClient, dataset: Dataset
) -> None:
    nandu, sao1 = dataset.institutions["nandu"], dataset.institutions["sao1"]
    body = await gql(stack, http, "doctors", DOCTOR_STATS,
                     {"filter": {"institutionIds": list(dataset.institutions.values())}},
                     await headers_for(stack, http, "analyst"))  # fmt: skip
    stats: dict[str, Any] = body["data"]["doctorStatistics"]
    assert (stats["total"], stats["active"]) == (5, 4)

    def name(entry: dict[str, Any]) -> str | None:
        return entry["specialty"]["name"] if entry["specialty"] else None

    assert {name(e): e["count"] for e in stats["bySpecialty"]} == {
        "Cardiology": 2, "Pediatrics": 1, "Neurology": 1, None: 1,
    }  # fmt: skip
    assert stats["bySpecialty"][0] == {
        "specialty": {"name": "Cardiology", "category": "medical"}, "count": 2,
    }  # fmt: skip
    assert {e["institution"]["id"]: e["count"] for e in stats["byInstitution"]} == {
        nandu: 3, sao1: 2,
    }  # fmt: skip
    table = {
        (name(e), e["institution"]["id"]): e["count"] for e in stats["bySpecialtyAndInstitution"]
    }
    assert table == {
        ("Cardiology", nandu): 1, ("Cardiology", sao1): 1, ("Pediatrics", nandu): 1,
        ("Neurology", nandu): 1, (None, sao1): 1,
    }  # fmt: skip
    assert stats["byStatus"] == [
        {"status": "ACTIVE", "count": 3},
        {"status": "RETIRED", "count": 1},
        {"status": "SUSPENDED", "count": 1},
    ]
    assert stats["byLicenseStatus"] == [
        {"status": "PENDING", "count": 1},
        {"status": "REJECTED", "count": 1},
        {"status": "VERIFIED", "count": 3},
    ]


@pytest.mark.parametrize("filtered", [True, False])
async def test_doctor_figures_without_the_table_are_the_same(
    stack: SubgraphStack, http: httpx.AsyncClient, dataset: Dataset, filtered: bool
) -> None:
    """Not asking for bySpecialtyAndInstitution takes another statement (GROUPING SETS): every
    other figure equals the one summed from the table."""
    variables = {"filter": {"institutionIds": list(dataset.institutions.values())}}
    admin = await headers_for(stack, http, "admin")
    both = await gql(stack, http, "doctors", DOCTOR_STATS, variables if filtered else None, admin)
    without_table = DOCTOR_STATS.replace(
        "bySpecialtyAndInstitution { specialty { name } institution { id } count }", ""
    )
    alone = await gql(stack, http, "doctors", without_table, variables if filtered else None, admin)
    expected = dict(both["data"]["doctorStatistics"])
    del expected["bySpecialtyAndInstitution"]
    assert alone["data"]["doctorStatistics"] == expected
    assert expected["total"] == sum(e["count"] for e in expected["bySpecialty"])
