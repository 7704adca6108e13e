"""One structured JSON log line per GraphQL request (`"logger": "router.requests"`), on stderr.

Fields: request id, operation name and type, client name/version (Apollo's
`apollographql-client-*` headers), HTTP status, duration, error codes, subgraph fetch count and
trace id. Never the query text, variables or response data: responses carry patient data.
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO

import orjson

__all__ = [
    "CURRENT",
    "REQUEST_ID_HEADER",
    "SINK",
    "JsonFormatter",
    "RequestRecord",
    "configure_logging",
    "emit",
    "request_id",
    "trace_id_of",
]

REQUEST_ID_HEADER = "x-request-id"
_RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}


@dataclass(slots=True)
class RequestRecord:
    """What the layers of one request learn about it; `CURRENT` holds the one being served."""

    request_id: str
    method: str
    client_name: str | None = None
    client_version: str | None = None
    trace_id: str | None = None
    #: (name, type) per operation: one, or one per item of a batch.
    operations: list[tuple[str | None, str | None]] = field(default_factory=list)
    status: int = 500
    error_codes: list[str] = field(default_factory=list)
    subgraph_fetches: int = 0
    #: Metric updates (observe or inc, and its value) held until the answer is out: off the
    #: request's critical path (a histogram observation costs ~14 us on a cold core).
    deferred: list[tuple[Callable[[float], None], float]] = field(default_factory=list)
    finished: bool = False  # the deferred updates were applied: later ones apply at once

    def defer(self, update: Callable[[float], None], value: float) -> None:
        if self.finished:
            update(value)
        else:
            self.deferred.append((update, value))

    def finish(self) -> None:
        """The answer is out: apply what was deferred (and anything deferred later at once)."""
        self.finished = True
        for update, value in self.deferred:
            update(value)
        self.deferred.clear()

    def operation_name(self) -> str | None:
        return self.operations[0][0] if len(self.operations) == 1 else None

    def fields(self, duration_ms: float) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "request_id": self.request_id,
            "method": self.method,
            "operation_name": None,
            "operation_type": None,
        }
        if len(self.operations) == 1:
            entry["operation_name"], entry["operation_type"] = self.operations[0]
        elif self.operations:
            entry["batch"] = [
                {"operation_name": n, "operation_type": t} for n, t in self.operations
            ]
        entry |= {
            "client_name": self.client_name,
            "client_version": self.client_version,
            "status": self.status,
            "duration_ms": round(duration_ms, 2),
            "error_codes": sorted(set(self.error_codes)),
            "subgraph_fetches": self.subgraph_fetches,
            "trace_id": self.trace_id,
        }
        return entry


CURRENT: ContextVar[RequestRecord | None] = ContextVar("router_request", default=None)


# New ids: a random per-process prefix and a counter, 32 hex digits like a UUID, unique across
# replicas, and a fraction of uuid4's cost (no system call per request).
_PREFIX = os.urandom(8).hex()
_COUNTER = itertools.count(1)


def request_id(incoming: str | None) -> str:
    """The client's id when it is short and printable (logs cannot be poisoned), else a new one."""
    if incoming and len(incoming) <= 128 and incoming.isascii() and incoming.isprintable():
        return incoming
    return f"{_PREFIX}{next(_COUNTER):016x}"


def trace_id_of(traceparent: str | None) -> str | None:
    """The trace id of a W3C `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`), if well-formed."""
    if traceparent is None or len(traceparent) < 55 or traceparent[2] != "-":
        return None
    trace_id = traceparent[3:35].lower()
    try:
        valid = int(trace_id, 16) != 0
    except ValueError:
        return None
    return trace_id if valid else None


class _Sink:
    """Where request lines go: written straight to a binary stream, since a line through the
    logging module costs ~25 us (record, formatter, handler) and this ~4 us. None: nowhere."""

    stream: BinaryIO | None = None


SINK = _Sink()


def emit(record: RequestRecord, duration_ms: float) -> None:
    """Write the request's line (the same shape as `JsonFormatter`'s) when a sink is set."""
    stream = SINK.stream
    if stream is None:
        return
    entry: dict[str, Any] = {
        "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "level": "info",
        "logger": "router.requests",
        "msg": "request",
    }
    entry |= record.fields(duration_ms)
    stream.write(orjson.dumps(entry, option=orjson.OPT_APPEND_NEWLINE))
    stream.flush()


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(level: str = "INFO", request_log: bool = True) -> None:
    """The router process's logs as JSON lines on stderr: the root logger's handler, and the
    request lines (at INFO, unless `request_log` is False)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    if request_log and root.isEnabledFor(logging.INFO):
        sys.stderr.flush()  # both write to fd 2: keep earlier text before our lines
        SINK.stream = sys.stderr.buffer
