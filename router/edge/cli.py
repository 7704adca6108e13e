"""Command-line flags (and environment variables) for the edge settings of `python -m router`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from router.edge.config import PersistedQueryConfig
from router.edge.http_config import HttpConfig
from router.edge.limits_config import LimitsConfig
from router.edge.telemetry_config import TelemetryConfig
from router.edge.tracing import provider_from_env

__all__ = [
    "edge_arguments",
    "http_config",
    "limits_config",
    "persisted_query_arguments",
    "persisted_query_config",
    "telemetry_arguments",
    "telemetry_config",
]


def persisted_query_arguments(parser: argparse.ArgumentParser) -> None:
    env = os.environ.get
    group = parser.add_argument_group("persisted queries")
    group.add_argument(
        "--no-apq", action="store_true", default=env("APQ_DISABLED") == "1", help="refuse APQ"
    )
    group.add_argument(
        "--apq-redis-url",
        default=env("APQ_REDIS_URL") or env("REDIS_URL"),
        help="APQ store shared by replicas (default: memory only)",
    )
    group.add_argument("--apq-redis-prefix", default=env("APQ_REDIS_PREFIX", "ph:apq:"))
    group.add_argument(
        "--pq-manifest",
        action="append",
        type=Path,
        help="trusted-document manifest (repeatable; default schema/persisted-queries/*.json)",
    )
    group.add_argument(
        "--pq-safelist",
        action="store_true",
        default=env("PQ_SAFELIST") == "1",
        help="serve only manifest operations",
    )


def persisted_query_config(args: argparse.Namespace) -> PersistedQueryConfig:
    manifests = tuple(args.pq_manifest) if args.pq_manifest else None
    env_manifests = os.environ.get("PQ_MANIFESTS")
    if manifests is None and env_manifests:
        manifests = tuple(Path(p) for p in env_manifests.split(",") if p)
    return PersistedQueryConfig(
        apq=not args.no_apq,
        redis_url=args.apq_redis_url or None,
        redis_prefix=args.apq_redis_prefix,
        manifests=manifests,
        safelist=args.pq_safelist,
    )


def edge_arguments(parser: argparse.ArgumentParser) -> None:
    """HTTP (CSRF, CORS, body size) and operation-limit flags; `0` turns a limit off."""
    env = os.environ.get
    http = parser.add_argument_group("GraphQL over HTTP")
    http.add_argument(
        "--no-csrf-prevention",
        action="store_true",
        default=env("CSRF_PREVENTION") == "0",
        help="accept simple (non-preflighted) requests",
    )
    http.add_argument(
        "--cors-origin",
        action="append",
        default=[o for o in env("CORS_ORIGINS", "").split(",") if o],
        help="browser origin allowed to call the router (repeatable; env CORS_ORIGINS)",
    )
    http.add_argument("--max-body-bytes", type=int, default=int(env("MAX_BODY_BYTES", "2000000")))
    http.add_argument(
        "--apollo-status-codes",
        action="store_true",
        default=env("ROUTER_APOLLO_STATUS_CODES", "").lower() == "true",
        help="400 for parse/validation errors even under Accept: application/json, as Apollo "
        "(default: the GraphQL-over-HTTP spec's 200; env ROUTER_APOLLO_STATUS_CODES=true)",
    )
    http.add_argument(
        "--batching",
        action="store_true",
        default=env("ROUTER_BATCHING", "").lower() == "true",
        help="accept several operations in one POST (a JSON array; env ROUTER_BATCHING=true)",
    )
    http.add_argument(
        "--max-batch-size",
        type=int,
        default=int(env("ROUTER_MAX_BATCH_SIZE", "10")),
        help="most operations in one batch (env ROUTER_MAX_BATCH_SIZE)",
    )
    limits = parser.add_argument_group("operation limits")
    defaults = LimitsConfig()
    names = ("max_tokens", "max_depth", "max_aliases", "max_root_fields", "max_cost")
    for name in (*names, "breaker_threshold"):
        flag = "--" + name.replace("_", "-")
        default = int(env(name.upper(), str(getattr(defaults, name))))
        limits.add_argument(flag, type=int, default=default)


def http_config(args: argparse.Namespace) -> HttpConfig:
    return HttpConfig(
        csrf_prevention=not args.no_csrf_prevention,
        cors_origins=tuple(args.cors_origin),
        max_body_bytes=args.max_body_bytes,
        json_errors_ok=not args.apollo_status_codes,
        batching=args.batching,
        max_batch_size=args.max_batch_size,
    )


def telemetry_arguments(parser: argparse.ArgumentParser) -> None:
    env = os.environ.get
    group = parser.add_argument_group(
        "logs and traces (tracing: set OTEL_EXPORTER_OTLP_ENDPOINT, OTLP over HTTP)"
    )
    group.add_argument(
        "--no-request-log",
        action="store_true",
        default=env("ROUTER_REQUEST_LOG", "").lower() == "false",
        help="no JSON line per request on stderr (env ROUTER_REQUEST_LOG=false)",
    )
    group.add_argument("--log-level", default=env("LOG_LEVEL", "INFO"), help="env LOG_LEVEL")


def telemetry_config(args: argparse.Namespace) -> TelemetryConfig:
    return TelemetryConfig(
        request_log=not args.no_request_log, tracer_provider=provider_from_env("router")
    )


def limits_config(args: argparse.Namespace) -> LimitsConfig:
    return LimitsConfig(
        max_tokens=args.max_tokens,
        max_depth=args.max_depth,
        max_aliases=args.max_aliases,
        max_root_fields=args.max_root_fields,
        max_cost=args.max_cost,
        breaker_threshold=args.breaker_threshold,
    )
