"""A per-subgraph circuit breaker: after consecutive failures a dead subgraph fails fast for a
cool-down, then one trial request decides whether it is back."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from router.pipeline import Router

__all__ = ["CircuitBreaker"]


@dataclass
class _State:
    failures: int = 0
    open_until: float = 0.0


@dataclass
class CircuitBreaker:
    """Wraps `router.client.post`; `threshold` 0 turns it off."""

    threshold: int = 5
    cooldown: float = 10.0
    _states: dict[str, _State] = field(default_factory=dict)

    def install(self, router: Router) -> None:
        if self.threshold <= 0:
            return
        # Imported here: router.config imports router.edge, and the executor imports the config.
        from router.executor import SubgraphFetchError

        post = router.client.post

        async def guarded(
            service: str,
            url: str,
            body: Mapping[str, Any],
            headers: Mapping[str, str],
            seconds: float,
        ) -> dict[str, Any]:
            state = self._states.setdefault(service, _State())
            now = time.monotonic()
            if state.open_until > now:
                raise SubgraphFetchError(
                    f"request to {url} failed, reason: circuit open for service {service!r}",
                    "INTERNAL_SERVER_ERROR",
                    {"service": service, "reason": "circuit open"},
                )
            try:
                result = await post(service, url, body, headers, seconds)
            except SubgraphFetchError:
                state.failures += 1
                if state.failures >= self.threshold:
                    # Half-open after the cool-down: the next request is the trial.
                    state.open_until = now + self.cooldown
                    state.failures = self.threshold - 1
                raise
            state.failures = 0
            state.open_until = 0.0
            return result

        router.client.post = guarded  # type: ignore[method-assign]
