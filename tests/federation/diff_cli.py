"""Run one operation through Apollo Gateway and the candidate over a test-bed scenario and print
both answers and their differences (exit status 1 when they differ). For debugging:

    uv run python -m tests.federation.diff_cli demo '{ me { name } }' [--variables JSON]
        [--operation-name NAME] [--candidate router|apollo|COMMAND]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import httpx

from tests.federation.testbed.scenarios import SCENARIOS
from tests.support.apollo import SubgraphSpec, compose_with_apollo
from tests.support.gateway_diff import Operation, differences, post, render_report
from tests.support.gateway_pair import gateway_pair
from tests.support.gateway_process import UnavailableGateway, launch

__all__ = ["main"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("query")
    parser.add_argument("--variables", type=json.loads, default=None)
    parser.add_argument("--operation-name", default=None)
    parser.add_argument("--candidate", default=None, help="default: $FEDERATION_CANDIDATE")
    args = parser.parse_args()
    scenario = SCENARIOS[args.scenario]
    server = launch(
        "testbed",
        [sys.executable, "-m", "tests.federation.testbed.server"],
        ready=r"testbed listening on (?P<url>http://\S+)",
    ).wait()
    try:
        specs = [
            SubgraphSpec(s.name, f"{server.url}/{scenario.name}/{s.name}", s.sdl)
            for s in scenario.subgraphs
        ]
        with tempfile.TemporaryDirectory() as folder:
            supergraph = Path(folder) / f"{scenario.name}.graphql"
            supergraph.write_text(compose_with_apollo(specs))
            with gateway_pair(supergraph, candidate=args.candidate) as pair:
                if isinstance(pair.candidate, UnavailableGateway):
                    print(pair.candidate.reason, file=sys.stderr)
                    return 2
                operation = Operation(args.query, args.variables, args.operation_name)
                with httpx.Client(timeout=30) as client:
                    expected = post(client, pair.apollo.url, operation)
                    actual = post(client, pair.candidate.url, operation)
                found = differences(expected, actual)
                print(
                    render_report(
                        operation,
                        reference_name=pair.apollo.name,
                        reference=expected,
                        candidate_name=pair.candidate.name,
                        candidate=actual,
                        found=found,
                    )
                    if found
                    else json.dumps(expected.body, indent=2) + "\n(both answer the same)"
                )
                return 1 if found else 0
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
