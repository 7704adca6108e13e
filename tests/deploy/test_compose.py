"""compose.yaml is a valid Compose file that starts services in the original order, with health checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from subgraphs.kit.schema_files import compose_ours
from subgraphs.kit.settings import SERVICE_PORTS, SUBGRAPHS, Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def _services() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())["services"]
    return services


def test_compose_file_matches_the_compose_spec() -> None:
    done = _validate(COMPOSE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_validator_catches_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "compose.yaml"
    broken.write_text("services:\n  router:\n    image: x\n    ports: 4000\n    depends_on: 7\n")
    assert _validate(broken).returncode != 0


def test_start_order_is_postgres_redis_auth_domains_router() -> None:
    services = _services()

    def deps(name: str) -> set[str]:
        return set(services[name].get("depends_on", {}))

    assert "postgres" in deps("redis")
    assert {"migrate", "redis"} <= deps("auth")
    for domain in ("institutions", "doctors", "patients", "admins"):
        assert "auth" in deps(domain)
        assert domain in deps("router")
        assert domain in deps("hive-gateway")


def test_every_long_running_service_has_a_health_check() -> None:
    for name, service in _services().items():
        if name in {"migrate", "supergraph"}:
            continue
        assert "healthcheck" in service, name


def test_secrets_come_from_the_environment() -> None:
    text = COMPOSE.read_text()
    assert "${POSTGRES_PASSWORD:?" in text
    assert "${SERVICE_TOKEN:?" in text


def test_image_runs_as_a_non_root_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "USER predicthealth" in dockerfile
    assert dockerfile.count("FROM ") == 2  # build stage + runtime stage


def test_redis_never_evicts_sessions_or_revocations() -> None:
    command = _services()["redis"]["command"]
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"


def test_services_run_in_production_mode_with_bounded_pools() -> None:
    env = _services()["auth"]["environment"]
    assert env["ENVIRONMENT"] == "production"
    pools = (int(env["DB_POOL_SIZE"]) + int(env["DB_MAX_OVERFLOW"])) * 5
    command = _services()["postgres"]["command"]
    max_connections = int(command[command.index("-c") + 1].split("=")[1])
    assert pools + 20 <= max_connections  # headroom for migrations and psql


def test_hive_profile_serves_the_same_supergraph_and_subgraphs() -> None:
    services = _services()
    hive, router = services["hive-gateway"], services["router"]
    assert hive["profiles"] == ["hive"]
    assert "profiles" not in router  # ours runs by default
    assert "supergraph:/supergraph:ro" in hive["volumes"]
    assert "/supergraph/supergraph.graphql" in hive["command"]
    assert hive["depends_on"] == router["depends_on"]
    assert "supergraph" in hive["depends_on"]


def test_the_deployed_supergraph_is_the_checked_in_one() -> None:
    """The `supergraph` service composes our SDLs with the container URLs: apart from those
    URLs, byte for byte the checked-in schema/supergraph.graphql both gateways serve."""
    env = _services()["router"]["environment"]
    urls = {k.lower(): v for k, v in env.items() if k.endswith("_SERVICE_URL")}
    assert len(urls) == len(SUBGRAPHS)
    composed = compose_ours(Settings(**urls))
    checked_in = (ROOT / "schema" / "supergraph.graphql").read_text()
    for name in SUBGRAPHS:
        local = f"http://127.0.0.1:{SERVICE_PORTS[name]}/graphql"
        assert local in checked_in
        checked_in = checked_in.replace(local, urls[f"{name}_service_url"])
    assert composed == checked_in


def test_the_router_verifies_tokens_and_limits_cost() -> None:
    env = _services()["router"]["environment"]
    assert env["JWT_JWKS_URL"] == "http://auth:8003/.well-known/jwks.json"
    assert int(env["MAX_COST"]) > 0
