"""Send one GraphQL request to two gateways and explain any difference between the answers.

Compared: the HTTP status, `data` (values AND field order, as the spec orders response maps),
whether `data` is present, the multiset of error `path`s, and per path the multiset of
`extensions.code` where both gateways set one. Tolerated (not compared): error `message`s (a
gateway may mask subgraph messages), `locations` and other `extensions` keys (`serviceName`,
stack traces), the order of `errors`, top-level `extensions`, and response headers. Two narrow
allowances: JSON numbers compare by value (JavaScript prints the Float 3.0 as `3`), and a 400
is accepted where Apollo answers 500 to a request that never executed (no `data`: e.g. an unknown
`operationName`), since GraphQL-over-HTTP makes those client errors.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.gateway_process import RunningGateway, UnavailableGateway

__all__ = [
    "GatewayResponse",
    "Operation",
    "assert_same_answer",
    "differences",
    "post",
    "render_report",
    "require_running",
    "server_log_tail",
]

_MISSING = object()


@dataclass(frozen=True)
class Operation:
    """One GraphQL request; `name` only labels it in reports; `headers` are sent with it."""

    query: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    name: str = ""
    headers: dict[str, str] | None = None

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"query": self.query}
        if self.variables is not None:
            body["variables"] = self.variables
        if self.operation_name is not None:
            body["operationName"] = self.operation_name
        return body


@dataclass(frozen=True)
class GatewayResponse:
    status: int
    body: Any  # the decoded JSON, or None when the body was not JSON
    text: str


def post(client: httpx.Client, url: str, operation: Operation) -> GatewayResponse:
    """POST the operation as JSON, the way any GraphQL-over-HTTP client would.

    A connection failure (e.g. the gateway crashed) is an answer too: status 0, no body.
    """
    try:
        response = client.post(
            url,
            json=operation.payload(),
            headers={"accept": "application/json", **(operation.headers or {})},
        )
    except httpx.TransportError as error:
        return GatewayResponse(0, None, f"{type(error).__name__}: {error}")
    try:
        body = response.json()
    except ValueError:
        body = None
    return GatewayResponse(response.status_code, body, response.text)


def _error_paths(body: dict[str, Any]) -> Counter[tuple[Any, ...] | None]:
    errors = body.get("errors") or []
    return Counter(tuple(e["path"]) if e.get("path") else None for e in errors)


def _codes_by_path(body: dict[str, Any]) -> dict[Any, Counter[str]]:
    codes: dict[Any, Counter[str]] = {}
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code is not None:
            key = tuple(error["path"]) if error.get("path") else None
            codes.setdefault(key, Counter())[code] += 1
    return codes


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same_status(reference: GatewayResponse, candidate: GatewayResponse) -> bool:
    if reference.status == candidate.status:
        return True
    # Apollo Server answers 500 to some request errors (unknown or missing operation name).
    never_executed = isinstance(reference.body, dict) and "data" not in reference.body
    return (reference.status, candidate.status) == (500, 400) and never_executed


def _diff_values(expected: Any, actual: Any, path: str, out: list[str]) -> None:
    if isinstance(expected, dict) and isinstance(actual, dict):
        if list(expected) != list(actual):
            if set(expected) == set(actual):
                out.append(f"{path}: field order {list(expected)} != {list(actual)}")
            else:
                out.append(f"{path}: fields {list(expected)} != {list(actual)}")
        for key in expected:
            if key in actual:
                _diff_values(expected[key], actual[key], f"{path}.{key}", out)
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            out.append(f"{path}: list of {len(expected)} != list of {len(actual)}")
        for index, (left, right) in enumerate(zip(expected, actual, strict=False)):
            _diff_values(left, right, f"{path}[{index}]", out)
    elif _is_number(expected) and _is_number(actual):
        if expected != actual:
            out.append(f"{path}: {json.dumps(expected)} != {json.dumps(actual)}")
    # type() too: JSON true == 1 in Python, but they are different GraphQL values.
    elif type(expected) is not type(actual) or expected != actual:
        out.append(f"{path}: {json.dumps(expected)} != {json.dumps(actual)}")


def differences(reference: GatewayResponse, candidate: GatewayResponse) -> list[str]:
    """Every compared aspect in which `candidate` answers differently from `reference`."""
    out: list[str] = []
    if not _same_status(reference, candidate):
        out.append(f"HTTP status {reference.status} != {candidate.status}")
    ref, cand = reference.body, candidate.body
    if not isinstance(ref, dict) or not isinstance(cand, dict):
        if not isinstance(ref, dict) and not isinstance(cand, dict):
            return out
        out.append("one body is not a JSON object")
        return out
    ref_data, cand_data = ref.get("data", _MISSING), cand.get("data", _MISSING)
    if (ref_data is _MISSING) != (cand_data is _MISSING):
        present = "reference" if cand_data is _MISSING else "candidate"
        out.append(f"`data` present only in the {present} response")
    elif ref_data is not _MISSING:
        _diff_values(ref_data, cand_data, "data", out)
    ref_paths, cand_paths = _error_paths(ref), _error_paths(cand)
    if ref_paths != cand_paths:
        missing = sorted(map(str, (ref_paths - cand_paths).elements()))
        extra = sorted(map(str, (cand_paths - ref_paths).elements()))
        out.append(f"error paths: missing {missing}, unexpected {extra}")
    ref_codes, cand_codes = _codes_by_path(ref), _codes_by_path(cand)
    for path in sorted(set(ref_codes) & set(cand_codes), key=str):
        if ref_codes[path] != cand_codes[path]:
            out.append(
                f"extensions.code at {path}: {sorted(ref_codes[path].elements())} "
                f"!= {sorted(cand_codes[path].elements())}"
            )
    return out


def _pretty(response: GatewayResponse) -> list[str]:
    if response.body is None:
        return [f"HTTP {response.status}", response.text]
    return [f"HTTP {response.status}", *json.dumps(response.body, indent=2).splitlines()]


def render_report(
    operation: Operation,
    *,
    reference_name: str,
    reference: GatewayResponse,
    candidate_name: str,
    candidate: GatewayResponse,
    found: list[str],
) -> str:
    """A readable failure message: the request, what differs, and a unified diff of bodies."""
    lines = [f"{candidate_name} answers differently from {reference_name}"]
    if operation.name:
        lines.append(f"case: {operation.name}")
    lines += ["query:", *("    " + line for line in operation.query.strip().splitlines())]
    if operation.variables is not None:
        lines.append(f"variables: {json.dumps(operation.variables)}")
    if operation.operation_name:
        lines.append(f"operationName: {operation.operation_name}")
    lines += ["differences:", *(f"  - {item}" for item in found), "response diff:"]
    lines += difflib.unified_diff(
        _pretty(reference), _pretty(candidate), reference_name, candidate_name, lineterm="", n=4
    )
    return "\n".join(lines)


def server_log_tail(gateway: RunningGateway, response: GatewayResponse, lines: int = 40) -> str:
    """The end of a gateway's output when it answered with a server error (likely a traceback)."""
    if response.status < 500 and isinstance(response.body, dict):
        return ""
    log = gateway.log()
    if not log:
        return ""
    tail = "\n".join(log.splitlines()[-lines:])
    return f"\n{gateway.name} output (last {lines} lines):\n{tail}"


def require_running(gateway: RunningGateway | UnavailableGateway) -> RunningGateway:
    """Fail (never skip) the calling test when the gateway did not start: that is a bug."""
    if isinstance(gateway, UnavailableGateway):
        pytest.fail(f"gateway {gateway.name} is not running: {gateway.reason}", pytrace=False)
    return gateway


def assert_same_answer(
    client: httpx.Client,
    reference: RunningGateway | UnavailableGateway,
    candidate: RunningGateway | UnavailableGateway,
    operation: Operation,
) -> GatewayResponse:
    """Fail the test unless both gateways answer `operation` alike; return the reference answer."""
    reference, candidate = require_running(reference), require_running(candidate)
    expected = post(client, reference.url, operation)
    actual = post(client, candidate.url, operation)
    found = differences(expected, actual)
    if found:
        report = render_report(
            operation,
            reference_name=reference.name,
            reference=expected,
            candidate_name=candidate.name,
            candidate=actual,
            found=found,
        )
        pytest.fail(report + server_log_tail(candidate, actual), pytrace=False)
    return expected
