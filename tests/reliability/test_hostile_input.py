"""Hostile input at the router and at each subgraph's own endpoint (real processes, production
mode): generated documents (hypothesis-graphql, valid and invalid), mutated documents, malformed
HTTP, wrong content types, huge/deep/alias-bomb/circular-fragment documents, oversized variables.
Zero 5xx, every process still answers afterwards, bounded memory growth.

Queries run with an administrator's token (deep resolver paths); generated mutations run
anonymously, so the session's shared test data is never changed.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from graphql import GraphQLSchema, parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, mutations, nodes, queries

from router.api_schema import build_api_schema
from subgraphs.kit.registry import load_definition
from subgraphs.kit.seeding import DEMO_LOGINS, DEMO_PASSWORD
from subgraphs.kit.settings import SUBGRAPHS
from tests.reliability.support import production_stack, rss_kb
from tests.support.infra import TestInfra

EXAMPLES = 12  # per strategy and target: six targets x four strategies stay under a minute
#: RSS may grow this much over a fuzz run (caches fill; a leak of big documents would not fit).
RSS_GROWTH_KB = 120 * 1024
_JSON = {"content-type": "application/json"}
_SCALARS = {
    name: st.just(nodes.String(value))
    for name, value in {
        "Date": "2020-02-29",
        "DateTime": "2020-02-29T12:00:00Z",
        "Decimal": "1.5",
        "JSON": "{}",
        "_Any": "{}",
    }.items()
}


@dataclass
class Target:
    name: str
    url: str
    pid: int
    schema: GraphQLSchema
    token: str
    statuses: Counter[int | str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")

    def send(self, client: httpx.Client, *, signed_in: bool = True, **request: Any) -> None:
        method = request.pop("method", "POST")
        headers = {"authorization": f"Bearer {self.token}"} if signed_in else {}
        headers |= request.pop("headers", _JSON)
        started = time.monotonic()
        try:
            status: int | str = client.request(
                method, self.url, headers=headers, **request
            ).status_code
        except httpx.TransportError as error:  # refused at the HTTP layer (e.g. header too big)
            status = type(error).__name__
        self.statuses[status] += 1
        self.slowest = max(self.slowest, (time.monotonic() - started, str(request)[:80]))
        if isinstance(status, int) and status >= 500:
            self.failures.append(f"{status} {method} {str(request)[:200]}")

    def alive(self, client: httpx.Client) -> bool:
        health = self.url.removesuffix("/graphql") + "/health"
        return client.get(health).status_code == 200


@pytest.fixture(scope="module")
def targets(
    infra: TestInfra, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Target]]:
    with production_stack(infra, tmp_path_factory.mktemp("hostile")) as stack:
        login = httpx.post(stack.peers["auth"], json={
            "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
            "variables": {"e": DEMO_LOGINS["admin"], "p": DEMO_PASSWORD}}, timeout=60).json()  # fmt: skip
        token = login["data"]["login"]["accessToken"]
        found = {}
        for gateway in stack.running:
            assert gateway.process is not None
            if gateway.name == "router":
                schema = build_api_schema(parse(stack.supergraph.read_text()))
            else:
                schema = load_definition(gateway.name).schema._schema
            found[gateway.name] = Target(
                gateway.name, gateway.url, gateway.process.pid, schema, token
            )
        yield found


def _hostile(scale: int) -> list[dict[str, Any]]:
    """Hand-made requests no client should send; `scale` divides the sizes of the big ones (the
    router refuses them up front; a subgraph parses them, which takes seconds at full size)."""
    deep_selection = "{ specialties " + "{ id " * (3000 // scale) + "}" * (3000 // scale + 1)
    deep_json = (
        '{"query": "query($v: JSON) { __typename }", "variables": {"v": '
        + "[" * 20000
        + "]" * 20000
        + "}}"
    )
    fan_out = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    nested = " ".join(
        f"fragment G{i} on Specialty {{ ...G{i + 1} ...G{i + 1} }}" for i in range(40)
    )
    many_ops = " ".join(f"query Q{i} {{ __typename }}" for i in range(4000 // scale))
    query = "{ __typename }"
    plain = json.dumps({"query": query}).encode()
    return [
        {"content": b""},
        {"content": b"{query:"},
        {"content": b"[1, 2, 3]"},
        {"content": b'"{ __typename }"'},
        {"content": b"null"},
        {"content": b'{"query": "\xff\xfe{"}'},
        {"content": b"\x00" * 1000},
        {"json": {"query": 42}},
        {"json": {"query": None}},
        {"json": {}},
        {"json": {"query": "query($a: Int) { __typename }", "variables": [1]}},
        {"json": {"query": "query($a: Int) { __typename }", "variables": "x"}},
        {"json": {"query": "query($a: Int!) { __typename }", "variables": {"a": "not an int"}}},
        {
            "json": {
                "query": query,
                "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "zz"}},
            }
        },
        {"json": {"query": query, "extensions": "nope"}},
        {"json": {"query": "query A { __typename } query B { __typename }", "operationName": "C"}},
        {"json": {"query": "query A { __typename } query B { __typename }"}},
        {"json": [{"query": query}] * 200},  # batching
        {"content": plain, "headers": {"content-type": "text/plain"}},
        {
            "content": b"query=%7B__typename%7D",
            "headers": {"content-type": "application/x-www-form-urlencoded"},
        },
        {"content": b"{ __typename }", "headers": {"content-type": "application/graphql"}},
        {"content": plain, "headers": {"content-type": "multipart/form-data; boundary=x"}},
        {"content": plain, "headers": {"content-type": "application/json; charset=latin-7"}},
        {"content": plain, "headers": {}},
        {"json": {"query": deep_selection}},
        {"content": deep_json.encode()},
        {
            "json": {
                "query": "{" + " ".join(f"a{i}: __typename" for i in range(30000 // scale)) + "}"
            }
        },
        {
            "json": {
                "query": "{" + " ".join(f"s{i}: specialties {{ id }}" for i in range(300)) + "}"
            }
        },
        {"json": {"query": "{" + " ".join(["__typename"] * (50000 // scale)) + "}"}},
        {"json": {"query": "fragment A on Query { ...B } fragment B on Query { ...A } { ...A }"}},
        {"json": {"query": "fragment A on Query { __typename ...A } { ...A }"}},
        {"json": {"query": f"{fan_out} fragment F40 on Query {{ __typename }} {{ ...F0 }}"}},
        {
            "json": {
                "query": f"{nested} fragment G40 on Specialty {{ id }} {{ specialties {{ ...G0 }} }}"
            }
        },
        {"json": {"query": "{ __typename" + " @include(if: true)" * (5000 // scale) + " }"}},
        {"json": {"query": '{ doctor(id: "' + "x" * 1_500_000 + '") { id } }'}},
        {
            "json": {
                "query": "query($id: ID!) { doctor(id: $id) { id } }",
                "variables": {"id": "x" * 1_000_000, "junk": ["y" * 1000] * 500},
            }
        },
        {"json": {"query": many_ops, "operationName": f"Q{4000 // scale - 1}"}},
        {"json": {"query": "{ __typename \u0000 \ud7ff }"}},
        {"json": {"query": "subscription { __typename }"}},
        {"json": {"query": "mutation { __typename }"}},
        {"method": "GET", "params": {"query": query, "variables": "{"}},
        {"method": "GET", "params": {"query": "mutation { __typename }"}},
        {"method": "GET", "params": {"query": "{" * 10000}},
        {"method": "PUT", "json": {"query": query}},
        {"method": "DELETE"},
        {"json": {"query": query}, "headers": {**_JSON, "authorization": "Bearer x.y.z"}},
        {"json": {"query": query}, "headers": {**_JSON, "x-junk": "a" * 60000}},
    ]


def _mutated(document: str, cut: int, length: int, junk: str) -> str:
    """The document with a slice replaced by junk: truncated, unbalanced, stray punctuation."""
    at = cut % (len(document) + 1)
    return document[:at] + junk + document[at + length :]


@pytest.mark.parametrize("name", ["router", *SUBGRAPHS])
def test_hostile_input_never_breaks_the_server(targets: dict[str, Target], name: str) -> None:
    target = targets[name]
    kinds = {"schema": target.schema, "custom_scalars": _SCALARS, "allow_x00": False}
    fuzz = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))  # fmt: skip
    with httpx.Client(timeout=60) as client:
        for _ in range(5):  # warm-up: imports, caches, pools
            target.send(client, json={"query": "{ __typename }"})
        before = rss_kb(target.pid)

        for request in _hostile(1 if name == "router" else 10):
            target.send(client, **request)

        @fuzz
        @given(queries(**kinds))
        def valid_queries(document: str) -> None:
            target.send(client, json={"query": document})

        @fuzz
        @given(mutations(**kinds))
        def valid_mutations(document: str) -> None:
            # Anonymous: every mutation needs a login, so the shared test data stays as it is,
            # while parsing, validation and argument coercion still run in full.
            target.send(client, signed_in=False, json={"query": document})

        @fuzz
        @given(from_schema(**kinds, mode=Mode.NEGATIVE))
        def invalid(document: str) -> None:
            target.send(client, signed_in=False, json={"query": document})

        @fuzz
        @given(queries(**kinds), st.integers(0, 10_000), st.integers(0, 40),
               st.text(alphabet='{}()[]:$@!.,"\\#\n ...onfragmentquery', max_size=20))  # fmt: skip
        def mutated(document: str, cut: int, length: int, junk: str) -> None:
            target.send(client, json={"query": _mutated(document, cut, length, junk)})

        valid_queries()
        valid_mutations()
        invalid()
        mutated()
        assert target.alive(client)
        after = rss_kb(target.pid)
    print(f"{name}: {sum(target.statuses.values())} requests {dict(target.statuses)}; "
          f"RSS {before // 1024} -> {after // 1024} MB; slowest {target.slowest}")  # fmt: skip
    assert not target.failures, "\n".join(target.failures)
    assert after - before < RSS_GROWTH_KB
