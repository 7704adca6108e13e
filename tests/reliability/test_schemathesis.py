"""Schemathesis in GraphQL mode against the router (production) over the five subgraphs and
against each subgraph's own endpoint: every root field gets generated operations; none may
answer 5xx. Queries carry an administrator's token (deep resolver paths); mutations go anonymous,
so the session's shared test data never changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from graphql import parse, print_schema
from hypothesis import HealthCheck, given, settings

from router.api_schema import build_api_schema
from subgraphs.kit.registry import load_definition
from subgraphs.kit.seeding import DEMO_LOGINS, DEMO_PASSWORD
from subgraphs.kit.settings import SUBGRAPHS
from tests.reliability.support import ROOT, start_router, supergraph_for
from tests.support.stack import SubgraphStack

EXAMPLES = 3  # per root field: ~60 router fields and ~70 subgraph fields stay under a minute
_FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                 suppress_health_check=list(HealthCheck))  # fmt: skip
_LOGIN = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }"


def _token(stack: SubgraphStack) -> str:
    variables = {"e": DEMO_LOGINS["admin"], "p": DEMO_PASSWORD}
    body = httpx.post(stack.url("auth"), json={"query": _LOGIN, "variables": variables},
                      timeout=60).json()  # fmt: skip
    return str(body["data"]["login"]["accessToken"])


def _check(case: Any, token: str) -> None:
    mutation = str(case.body).lstrip().startswith("mutation")
    headers = {} if mutation else {"authorization": f"Bearer {token}"}
    response = case.call(headers=headers, timeout=60)
    assert response.status_code < 500, (case.body, response.text[:500])


@pytest.fixture(scope="module")
def router(own_stack: SubgraphStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    urls = {name: own_stack.url(name) for name in own_stack.ports}
    running = start_router(supergraph_for(urls, tmp_path_factory.mktemp("schemathesis")),
                           env={"ENVIRONMENT": "production"})  # fmt: skip
    try:
        yield running.url
    finally:
        running.stop()


@pytest.fixture(scope="module")
def token(own_stack: SubgraphStack) -> str:
    return _token(own_stack)


def _fuzz_every_operation(schema: Any, token: str) -> int:
    """Each root field's generated operations; returns how many were sent."""
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @_FUZZ
        @given(operation.as_strategy())
        def run(case: Any) -> None:
            nonlocal sent
            sent += 1
            _check(case, token)

        run()
    return sent


def test_router_operations_never_5xx(router: str, token: str) -> None:
    supergraph = parse(Path(ROOT / "schema" / "supergraph.graphql").read_text())
    schema = schemathesis.graphql.from_file(print_schema(build_api_schema(supergraph)))
    schema.config.update(base_url=router)
    sent = _fuzz_every_operation(schema, token)
    print(f"schemathesis: {sent} operations through the router")
    assert sent > 50


@pytest.mark.parametrize("name", SUBGRAPHS)
def test_subgraph_operations_never_5xx(own_stack: SubgraphStack, token: str, name: str) -> None:
    schema = schemathesis.graphql.from_file(print_schema(load_definition(name).schema._schema))
    schema.config.update(base_url=own_stack.url(name))
    sent = _fuzz_every_operation(schema, token)
    print(f"schemathesis: {sent} operations at {name}")
    assert sent > 5
