"""Apollo Gateway (the reference) and the candidate gateway over the same supergraph."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.gateway_apollo import launch_apollo_gateway
from tests.support.gateway_candidate import PendingGateway, candidate_spec, launch_candidate
from tests.support.gateway_process import GatewayStartError, RunningGateway, UnavailableGateway

__all__ = ["GatewayPair", "gateway_pair", "start_gateway_pairs"]


@dataclass
class GatewayPair:
    """Both gateways over `supergraph`; the candidate may be unavailable (then tests fail)."""

    supergraph: Path
    apollo: RunningGateway
    candidate: RunningGateway | UnavailableGateway

    def stop(self) -> None:
        self.apollo.stop()
        self.candidate.stop()


def _settle(
    pending: PendingGateway | Exception, name: str, deadline: float
) -> RunningGateway | UnavailableGateway:
    if isinstance(pending, Exception):
        return UnavailableGateway(name, str(pending))
    try:
        # One deadline for all: a hanging gateway costs `timeout` once, not once per pair.
        return pending.wait(max(0.1, deadline - time.monotonic()))
    except (GatewayStartError, OSError) as error:
        return UnavailableGateway(name, str(error))


def start_gateway_pairs(
    supergraphs: Mapping[str, Path],
    *,
    candidate: str | None = None,
    timeout: float = 90.0,
    forward_headers: Sequence[str] = (),
) -> dict[str, GatewayPair]:
    """Start a pair per supergraph, all processes at once; wait for all of them.

    `forward_headers` makes Apollo Gateway copy those client headers to subgraph requests (our
    router forwards `authorization` and `x-request-id` on its own).

    A candidate that fails to start is kept as `UnavailableGateway` (its tests then fail with
    the start-up output); an Apollo Gateway that fails stops everything and raises.
    """
    spec = candidate or candidate_spec()
    pending: dict[str, tuple[PendingGateway, PendingGateway | Exception]] = {}
    for name, path in supergraphs.items():
        other: PendingGateway | Exception
        try:
            other = launch_candidate(path, spec)
        except (GatewayStartError, OSError) as error:
            other = error
        apollo = launch_apollo_gateway(path, name="apollo", forward_headers=forward_headers)
        pending[name] = (apollo, other)
    deadline = time.monotonic() + timeout
    settled = {
        name: (_settle(apollo, "apollo", deadline), _settle(other, spec, deadline))
        for name, (apollo, other) in pending.items()
    }
    pairs: dict[str, GatewayPair] = {}
    reason: str | None = None
    for name, (reference, started) in settled.items():
        if isinstance(reference, UnavailableGateway):
            reason = reason or reference.reason
            started.stop()
        else:
            pairs[name] = GatewayPair(supergraphs[name], reference, started)
    if reason is not None:
        for pair in pairs.values():
            pair.stop()
        raise GatewayStartError(f"Apollo Gateway did not start: {reason}")
    return pairs


@contextmanager
def gateway_pair(supergraph: Path, *, candidate: str | None = None) -> Iterator[GatewayPair]:
    """Both gateways over one supergraph for the duration of a `with` block."""
    pair = start_gateway_pairs({"": supergraph}, candidate=candidate)[""]
    try:
        yield pair
    finally:
        pair.stop()
