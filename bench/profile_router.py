"""Profile our router under the gateway benchmark's load with py-spy; print the hotspots.

    uv run --with py-spy python bench/profile_router.py [--seconds 10] [--concurrency 8]

Starts the synthetic subgraphs and our router exactly as `bench/gateways.py` does, loads it with
wrk, samples it with `py-spy record --format raw`, and prints the top functions by own and
inclusive time (file:line) plus the raw collapsed stacks' path for a flamegraph.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.gateways import (  # noqa: E402
    bench_body,
    check_answer,
    compose_supergraph,
    log,
    run_wrk,
    start_gateway,
    start_subgraphs,
)

__all__ = ["hotspots", "main"]


def hotspots(
    collapsed: str, top: int = 25
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Own and inclusive share of samples per frame, from py-spy's collapsed (raw) stacks."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    share = 100.0 / max(total, 1)
    return (
        [(frame, n * share) for frame, n in own.most_common(top)],
        [(frame, n * share) for frame, n in inclusive.most_common(top)],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "router.pyspy")
    args = parser.parse_args()
    py_spy = shutil.which("py-spy")
    if not py_spy:
        raise SystemExit("py-spy not found: run with `uv run --with py-spy ...`")
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        workdir = Path(tmp)
        subgraphs = start_subgraphs(workdir)
        try:
            router = start_gateway("router", compose_supergraph(subgraphs.url, workdir), workdir)
            try:
                check_answer(router.url)
                run_wrk(router.url, bench_body(), args.concurrency, 3, workdir)  # warm up
                load = threading.Thread(
                    target=run_wrk,
                    args=(router.url, bench_body(), args.concurrency, args.seconds + 2, workdir),
                )
                load.start()
                log(f"sampling the router for {args.seconds} s")
                # The router is the child of taskset's exec: same pid.
                subprocess.run(
                    [
                        py_spy,
                        "record",
                        "--pid",
                        str(router.popen.pid),
                        "--duration",
                        str(args.seconds),
                        "--rate",
                        "250",
                        "--format",
                        "raw",
                        "--output",
                        str(args.out),
                    ],
                    check=True,
                    capture_output=True,
                )
                load.join()
            finally:
                router.stop()
        finally:
            subgraphs.stop()
    own, inclusive = hotspots(args.out.read_text())
    print("## own time")
    for frame, percent in own:
        print(f"{percent:5.1f}%  {frame}")
    print("\n## inclusive time")
    for frame, percent in inclusive:
        print(f"{percent:5.1f}%  {frame}")
    print(f"\ncollapsed stacks: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
