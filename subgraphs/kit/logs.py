"""Structured JSON logs carrying the request (and trace) id of the request being served, and the
process's OpenTelemetry tracer (off unless configured)."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson
from opentelemetry import trace

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer, TracerProvider

__all__ = ["REQUEST_ID", "TRACING", "configure_logging", "configure_tracing", "get_logger"]

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)


class _Tracing:
    """The tracer the request middleware uses; None: tracing off (nothing per request)."""

    tracer: Tracer | None = None


TRACING = _Tracing()


def configure_tracing(service: str, provider: TracerProvider | None = None) -> None:
    """Trace requests with `provider`, else with an OTLP/HTTP exporter when
    OTEL_EXPORTER_OTLP_ENDPOINT is set (the router's `provider_from_env`), else not at all."""
    if provider is None:
        # The router's definition, so both read the same variables the same way.
        from router.edge.tracing import provider_from_env

        provider = provider_from_env(service)
    TRACING.tracer = provider.get_tracer("subgraphs.kit") if provider is not None else None


_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any `extra=` fields."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id:
            entry["request_id"] = request_id
        if TRACING.tracer is not None:
            context = trace.get_current_span().get_span_context()
            if context.is_valid:
                entry["trace_id"] = format(context.trace_id, "032x")
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(service: str, level: str = "INFO", json: bool = True) -> None:
    """Route every logger (ours, uvicorn's, SQLAlchemy's) to one handler on stderr; tracing as
    the OTEL_* variables say (`configure_tracing`)."""
    configure_tracing(service)
    handler = logging.StreamHandler(sys.stderr)
    if json:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {service} %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Access lines duplicate our own request log, which carries the request id.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name)
