"""Settings of the router's request logs and OpenTelemetry tracing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opentelemetry.trace import TracerProvider

__all__ = ["TelemetryConfig"]


@dataclass(frozen=True, slots=True)
class TelemetryConfig:
    """Request logs on by default (written where `request_log.SINK` points: `python -m router`
    points it at stderr); tracing off."""

    #: One JSON line per GraphQL request.
    request_log: bool = True
    #: Where spans go; None: tracing off and nothing traced is installed (no per-request cost).
    #: `router.edge.tracing.provider_from_env` builds one from the standard OTEL_* variables.
    tracer_provider: TracerProvider | None = None
