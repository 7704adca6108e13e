"""Command-line flags (and environment variables) for the edge settings of `python -m router`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from router.edge.config import PersistedQueryConfig

__all__ = ["persisted_query_arguments", "persisted_query_config"]


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
