"""The kit's document cache: a text validated once is reused, never past the rules it passed."""

from __future__ import annotations

from dataclasses import dataclass
from unittest.mock import patch

import graphql
import pytest
import strawberry

from subgraphs.kit import documents
from subgraphs.kit.schema import build_schema
from subgraphs.kit.settings import Settings


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, name: str = "world") -> str:
        return f"hello {name}"


@dataclass
class Context:
    settings: Settings


SCHEMA = build_schema(query=Query)
DEV = Context(Settings(environment="development"))
PRODUCTION = Context(Settings(environment="production"))


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    documents._valid.clear()


async def test_a_text_is_parsed_and_validated_once() -> None:
    query = "query($n: String!) { hello(name: $n) }"
    with (
        patch("strawberry.schema.schema.parse", wraps=graphql.parse) as parse,
        patch("strawberry.schema.schema.validate", wraps=graphql.validate) as validate,
    ):
        for name in ("a", "b", "c"):
            result = await SCHEMA.execute(query, {"n": name}, context_value=DEV)
            assert result.errors is None
            assert result.data == {"hello": f"hello {name}"}
    assert (parse.call_count, validate.call_count) == (1, 1)


async def test_invalid_texts_are_checked_every_time_and_not_kept() -> None:
    for _ in range(2):
        result = await SCHEMA.execute("{ nope }", context_value=DEV)
        assert result.errors
        assert "nope" in result.errors[0].message
    assert not documents._valid


async def test_introspection_allowed_in_development_stays_refused_in_production() -> None:
    query = "{ __schema { queryType { name } } }"
    allowed = await SCHEMA.execute(query, context_value=DEV)
    assert allowed.errors is None
    for _ in range(2):
        refused = await SCHEMA.execute(query, context_value=PRODUCTION)
        assert refused.errors, refused
        assert "introspection" in refused.errors[0].message.lower()


async def test_the_cache_is_bounded() -> None:
    with patch.object(documents, "MAX_DOCUMENTS", 3):
        for i in range(5):
            await SCHEMA.execute(f'{{ hello(name: "{i}") }}', context_value=DEV)
    assert len(documents._valid) == 3
    assert [key[1] for key in documents._valid] == [f'{{ hello(name: "{i}") }}' for i in (2, 3, 4)]
