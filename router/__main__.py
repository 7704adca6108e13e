"""`python -m router --supergraph FILE --port N [--host H] [--explain QUERY] [--jwks-url URL …]`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from router.config import RouterConfig
from router.edge.cli import (
    edge_arguments,
    http_config,
    limits_config,
    persisted_query_arguments,
    persisted_query_config,
    telemetry_arguments,
    telemetry_config,
)
from router.edge.rate_limit import rate_limit_arguments, rate_limit_config
from router.edge.request_log import configure_logging
from router.security.config import AuthConfig, split_list

__all__ = ["main", "parse_args", "router_config"]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    # JSON lines on stderr (request lines among them).
    configure_logging(args.log_level, request_log=not args.no_request_log)
    config = router_config(args)
    if args.explain:
        from graphql import parse

        from router.planner import QueryPlanner, print_plan
        from router.supergraph import Supergraph

        planner = QueryPlanner(Supergraph(args.supergraph.read_text()))
        print(print_plan(planner.plan(parse(args.explain))))
        return
    from router.server import serve

    serve(args.supergraph, args.host, args.port, config)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (and the environment variables that give its defaults)."""
    parser = argparse.ArgumentParser(prog="router", description="Apollo Federation v2 router")
    parser.add_argument("--supergraph", required=True, type=Path, help="supergraph SDL file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4000)
    parser.add_argument(
        "--subgraph-timeout", type=float, default=30.0, help="seconds per subgraph request"
    )
    parser.add_argument(
        "--expose-subgraph-errors",
        action="store_true",
        help="pass subgraph error extensions through",
    )
    parser.add_argument(
        "--reload-interval",
        type=float,
        default=float(os.environ.get("SUPERGRAPH_RELOAD_INTERVAL", "1")),
        help="seconds between checks of the supergraph file for hot reload (0: off)",
    )
    parser.add_argument(
        "--no-graphiql",
        action="store_true",
        default=os.environ.get("ROUTER_GRAPHIQL", "").lower() == "false",
        help="no GraphiQL at GET /graphql (always off when ENVIRONMENT=production)",
    )
    parser.add_argument(
        "--no-introspection",
        action="store_true",
        default=_introspection_off(),
        help="refuse __schema/__type (env ROUTER_INTROSPECTION=false; off in production unless "
        "ROUTER_INTROSPECTION=true)",
    )
    parser.add_argument(
        "--no-subgraph-dedupe",
        action="store_true",
        default=os.environ.get("ROUTER_SUBGRAPH_DEDUPE", "").lower() == "false",
        help="one subgraph request per client request, even for identical reads in flight "
        "(env ROUTER_SUBGRAPH_DEDUPE=false); sharing keeps one read-audit entry per shared read",
    )
    parser.add_argument(
        "--busy-poll-ms",
        type=float,
        default=float(os.environ.get("ROUTER_BUSY_POLL_MS", "0")),
        metavar="MS",
        help="keep polling instead of letting the CPU sleep while a subgraph answer is awaited "
        "and for up to MS ms after each answer to a client (env ROUTER_BUSY_POLL_MS): lower "
        "latency on a core of the router's own, at a core of CPU while traffic flows; "
        "0 (default): off",
    )
    parser.add_argument("--explain", metavar="QUERY", help="print the query plan of QUERY and exit")
    _auth_arguments(parser)
    persisted_query_arguments(parser)
    edge_arguments(parser)
    rate_limit_arguments(parser)
    telemetry_arguments(parser)
    return parser.parse_args(argv)


def router_config(args: argparse.Namespace) -> RouterConfig:
    """The router's settings from a parsed command line."""
    return RouterConfig(
        subgraph_timeout=args.subgraph_timeout,
        expose_subgraph_errors=args.expose_subgraph_errors,
        mask_fetch_errors=os.environ.get("ENVIRONMENT", "").lower() == "production",
        auth=_auth_config(args),
        persisted_queries=persisted_query_config(args),
        http=http_config(args),
        limits=limits_config(args),
        rate_limit=rate_limit_config(args),
        telemetry=telemetry_config(args),
        supergraph_path=args.supergraph,
        graphiql=not args.no_graphiql,
        introspection=not args.no_introspection,
        reload_interval=args.reload_interval,
        dedupe_subgraph_requests=not args.no_subgraph_dedupe,
        busy_poll_ms=max(0.0, args.busy_poll_ms),
    )


def _introspection_off() -> bool:
    setting = os.environ.get("ROUTER_INTROSPECTION", "").lower()
    if setting in ("true", "false"):
        return setting == "false"
    return os.environ.get("ENVIRONMENT", "").lower() == "production"


def _auth_arguments(parser: argparse.ArgumentParser) -> None:
    env = os.environ.get
    group = parser.add_argument_group("authentication (off unless --jwks-url or JWT_JWKS_URL)")
    group.add_argument("--jwks-url", default=env("JWT_JWKS_URL"), help="JWKS of the token issuer")
    group.add_argument("--jwt-issuer", default=env("JWT_ISSUER"), help="required `iss`")
    group.add_argument("--jwt-audience", default=env("JWT_AUDIENCE"), help="required `aud`")
    group.add_argument(
        "--jwt-roles",
        default=env("JWT_ROLES"),
        help="comma-separated values the `role` claim must take (default: unchecked)",
    )
    group.add_argument(
        "--redis-url", default=env("REDIS_URL"), help="revocation mirror (`PREFIX revoked:…`)"
    )
    group.add_argument("--redis-prefix", default=env("REDIS_PREFIX", "ph:"))
    group.add_argument(
        "--auth-service-url",
        default=env("AUTH_SERVICE_URL"),
        help="auth service GraphQL URL: revocation answers when Redis cannot",
    )
    group.add_argument(
        "--service-token",
        default=env("SERVICE_TOKEN"),
        help="secret for the auth service's revocation endpoint (env SERVICE_TOKEN preferred)",
    )


def _auth_config(args: argparse.Namespace) -> AuthConfig | None:
    if not args.jwks_url:
        return None
    return AuthConfig(
        jwks_url=args.jwks_url,
        issuer=args.jwt_issuer or None,
        audience=args.jwt_audience or None,
        redis_url=args.redis_url or None,
        redis_prefix=args.redis_prefix,
        auth_service_url=args.auth_service_url or None,
        service_token=args.service_token or None,
        roles=split_list(args.jwt_roles),
    )


if __name__ == "__main__":
    main()
