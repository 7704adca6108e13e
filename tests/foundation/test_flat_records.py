"""Lists of `@flat_record` types (`subgraphs/kit/flat_records.py`) answer exactly what
graphql-core's own completion answers — data and errors — for every selection shape."""

from __future__ import annotations

from enum import Enum
from typing import Any

import pytest
import strawberry

from subgraphs.kit.flat_records import FlatRecordExecutionContext, flat_record

pytestmark = pytest.mark.asyncio(loop_scope="session")


@strawberry.enum
class Kind(Enum):
    BIG = "big"
    SMALL = "small"


@flat_record
@strawberry.type
class Row:
    key: str
    count: int | None
    kind: Kind
    python_name_differs: bool = strawberry.field(name="flag", default=False)


@flat_record
@strawberry.type
class Computed:
    key: str

    @strawberry.field
    def shout(self) -> str:
        return self.key.upper()


@strawberry.type
class Plain:
    key: str


ROWS = [Row(key=f"k{i}", count=None if i % 3 else i, kind=Kind.BIG if i % 2 else Kind.SMALL,
            python_name_differs=i % 2 == 0) for i in range(50)]  # fmt: skip


@strawberry.type
class Query:
    @strawberry.field
    async def rows(self) -> list[Row]:
        return ROWS

    @strawberry.field
    def maybe_rows(self) -> list[Row | None]:
        return [ROWS[0], None, ROWS[1]]

    @strawberry.field
    def broken_rows(self) -> list[Row]:
        # A null where the schema says String!: the usual error, at the usual path.
        return [ROWS[0], Row(key=None, count=1, kind=Kind.BIG)]  # type: ignore[arg-type]

    @strawberry.field
    def null_item(self) -> list[Row]:
        return [ROWS[0], None]  # type: ignore[list-item]

    @strawberry.field
    def bad_enum(self) -> list[Row]:
        return [Row(key="x", count=1, kind="nonsense")]  # type: ignore[arg-type]

    @strawberry.field
    def computed(self) -> list[Computed]:
        return [Computed(key="a"), Computed(key="b")]

    @strawberry.field
    def plain(self) -> list[Plain]:
        return [Plain(key="a")]


FAST = strawberry.Schema(query=Query, execution_context_class=FlatRecordExecutionContext)
USUAL = strawberry.Schema(query=Query)

QUERIES: list[tuple[str, dict[str, Any] | None]] = [
    ("{ rows { key count kind flag } }", None),
    ("{ rows { k: key c: count key __typename } }", None),
    ("{ rows { ...R ... on Row { kind } } } fragment R on Row { key count }", None),
    ("query($s: Boolean!) { rows { key count @skip(if: $s) kind @include(if: $s) } }",
     {"s": True}),
    ("query($s: Boolean!) { rows { key count @skip(if: $s) kind @include(if: $s) } }",
     {"s": False}),
    ("{ maybeRows { key } }", None),
    ("{ brokenRows { key count } }", None),
    ("{ nullItem { key } }", None),
    ("{ badEnum { key kind } }", None),
    ("{ computed { key shout } }", None),
    ("{ plain { key } }", None),
    ("{ rows { key } computed { key } }", None),
]  # fmt: skip


def _answer(result: Any) -> tuple[Any, list[tuple[str, Any]]]:
    errors = [(e.message, e.path) for e in result.errors or []]
    return result.data, errors


@pytest.mark.parametrize(("query", "variables"), QUERIES)
async def test_same_answer_as_graphql_core(query: str, variables: dict[str, Any] | None) -> None:
    fast = await FAST.execute(query, variable_values=variables)
    usual = await USUAL.execute(query, variable_values=variables)
    assert _answer(fast) == _answer(usual)


async def test_the_fast_path_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """Flat rows do not go through per-field completion; other lists do."""
    calls: list[str] = []
    usual = FlatRecordExecutionContext.complete_object_value

    def counting(self: Any, return_type: Any, *args: Any) -> Any:
        calls.append(return_type.name)
        return usual(self, return_type, *args)

    monkeypatch.setattr(FlatRecordExecutionContext, "complete_object_value", counting)
    result = await FAST.execute("{ rows { key count } computed { key shout } }")
    assert not result.errors
    assert calls.count("Row") == 0
    assert calls.count("Computed") == 2
