"""Benchmark (not a test): logins per second at bcrypt work factor 12, and the p50/p99 latency of
a cheap authenticated query (`{ me { id } }`) alone and while logins run in parallel — bcrypt
runs in worker threads, so the event loop must stay responsive.

    uv run python bench/auth_logins.py [--users 16] [--concurrency 8] [--seconds 10]

Runs the auth subgraph as its own process (`predicthealth subgraph auth`) against a fresh
database on the configured (DATABASE_URL/REDIS_URL) or embedded PostgreSQL and Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from subgraphs.kit.embedded import free_port  # noqa: E402
from subgraphs.kit.migrations import migrate  # noqa: E402
from tests.support.infra import create_test_infra, drop_test_infra  # noqa: E402

SERVICE_TOKEN = "bench-service-token"  # noqa: S105 - a throwaway secret for this run
PASSWORD = "benchmark passphrase 2026"  # noqa: S105
LOGIN = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }"
CREATE = "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }"
ME = "{ me { id } }"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def wait_healthy(
    http: httpx.AsyncClient, base: str, process: asyncio.subprocess.Process
) -> None:
    for _ in range(300):
        if process.returncode is not None:
            raise RuntimeError("the auth subgraph exited during start-up")
        try:
            if (await http.get(f"{base}/health")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the auth subgraph did not become healthy")


async def login(http: httpx.AsyncClient, url: str, email: str) -> str:
    body = (
        await http.post(url, json={"query": LOGIN, "variables": {"e": email, "p": PASSWORD}})
    ).json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    token: str = body["data"]["login"]["accessToken"]
    return token


async def login_load(
    http: httpx.AsyncClient, url: str, emails: list[str], concurrency: int, until: float
) -> int:
    done = 0

    async def worker(i: int) -> None:
        nonlocal done
        while time.perf_counter() < until:
            await login(http, url, emails[(i + done) % len(emails)])
            done += 1

    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return done


async def query_latencies(
    http: httpx.AsyncClient, url: str, token: str, until: float
) -> list[float]:
    samples: list[float] = []
    headers = {"authorization": f"Bearer {token}"}
    while time.perf_counter() < until:
        started = time.perf_counter()
        response = await http.post(url, json={"query": ME}, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.json()["data"]["me"]["id"]
        await asyncio.sleep(0.005)
    return samples


async def run(users: int, concurrency: int, seconds: float) -> None:
    infra = await create_test_infra()
    process: asyncio.subprocess.Process | None = None
    try:
        await asyncio.to_thread(migrate, "auth", infra.database_url)
        port = free_port(0)
        env = {
            **os.environ, "DATABASE_URL": infra.database_url, "REDIS_URL": infra.redis_url,
            "REDIS_PREFIX": infra.redis_prefix, "SERVICE_TOKEN": SERVICE_TOKEN,
            "LOG_LEVEL": "WARNING", "ENVIRONMENT": "test", "BCRYPT_ROUNDS": "12",
        }  # fmt: skip
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "subgraphs.kit.cli", "subgraph", "auth", "--port", str(port),
            cwd=ROOT, env=env,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        url = f"{base}/graphql"
        limits = httpx.Limits(max_connections=concurrency + 8)
        async with httpx.AsyncClient(timeout=60.0, limits=limits) as http:
            await wait_healthy(http, base, process)
            emails = [
                f"bench-{i}-{uuid.uuid4().hex[:6]}@bench.predicthealth.dev" for i in range(users)
            ]
            service = {"x-service-token": SERVICE_TOKEN}
            await asyncio.gather(*(
                http.post(url, headers=service, json={"query": CREATE, "variables": {
                    "i": {"email": e, "password": PASSWORD, "role": "PATIENT"}}})
                for e in emails
            ))  # fmt: skip
            token = await login(http, url, emails[0])

            quiet = await query_latencies(http, url, token, time.perf_counter() + min(seconds, 5))
            started = time.perf_counter()
            until = started + seconds
            count, busy = await asyncio.gather(
                login_load(http, url, emails, concurrency, until),
                query_latencies(http, url, token, until),
            )
            elapsed = time.perf_counter() - started
        print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}")
        print(f"logins: {count} in {elapsed:.1f} s = {count / elapsed:.2f} logins/s "
              f"(work factor 12, {concurrency} concurrent clients)")  # fmt: skip
        for name, samples in (("alone", quiet), ("during logins", busy)):
            print(f"{{ me {{ id }} }} {name}: n={len(samples)} "
                  f"p50={statistics.median(samples):.1f} ms p99={percentile(samples, 0.99):.1f} ms "
                  f"max={max(samples):.1f} ms")  # fmt: skip
    finally:
        if process is not None:
            process.terminate()
            await asyncio.wait_for(process.wait(), 10)
        await drop_test_infra(infra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    asyncio.run(run(args.users, args.concurrency, args.seconds))


if __name__ == "__main__":
    main()
