"""`python -m router --supergraph FILE --port N [--host H] [--explain QUERY]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from router.config import RouterConfig

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
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
    parser.add_argument("--explain", metavar="QUERY", help="print the query plan of QUERY and exit")
    args = parser.parse_args(argv)
    config = RouterConfig(
        subgraph_timeout=args.subgraph_timeout, expose_subgraph_errors=args.expose_subgraph_errors
    )
    if args.explain:
        from graphql import parse

        from router.planner import QueryPlanner, print_plan
        from router.supergraph import Supergraph

        planner = QueryPlanner(Supergraph(args.supergraph.read_text()))
        print(print_plan(planner.plan(parse(args.explain))))
        return
    from router.server import serve

    serve(args.supergraph, args.host, args.port, config)


if __name__ == "__main__":
    main()
