"""Settings read from the environment (names as the original system used them)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["SERVICE_PORTS", "SUBGRAPHS", "Settings", "get_settings"]

#: The five subgraphs, in start order (auth first: the others create logins through it).
SUBGRAPHS: tuple[str, ...] = ("auth", "institutions", "doctors", "patients", "admins")

#: The original system's ports; the router listens on 4000.
SERVICE_PORTS: dict[str, int] = {
    "auth": 8003,
    "admins": 8006,
    "doctors": 8000,
    "institutions": 8002,
    "patients": 8004,
    "router": 4000,
}


class Settings(BaseSettings):
    """Every knob of a PredictHealth process; each field maps to an environment variable."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    environment: Literal["development", "test", "production"] = "development"
    database_url: str | None = Field(
        default=None, description="postgresql+asyncpg://… ; unset: embedded PostgreSQL"
    )
    redis_url: str | None = Field(default=None, description="redis://… ; unset: embedded Redis")
    service_host: str = "127.0.0.1"
    service_port: int | None = None
    data_dir: Path = Field(
        default=Path(".predicthealth"), description="embedded servers' data, JWT keys"
    )
    log_level: str = "INFO"
    log_json: bool = True
    # Unset: on outside production, off in production (ENVIRONMENT=production).
    graphiql: bool | None = None
    introspection: bool | None = None

    db_pool_size: int = 10
    db_max_overflow: int = 10
    db_pool_timeout: float = 10.0
    db_statement_timeout_ms: int = 15_000

    auth_service_url: str = "http://127.0.0.1:8003/graphql"
    admins_service_url: str = "http://127.0.0.1:8006/graphql"
    doctors_service_url: str = "http://127.0.0.1:8000/graphql"
    institutions_service_url: str = "http://127.0.0.1:8002/graphql"
    patients_service_url: str = "http://127.0.0.1:8004/graphql"
    router_url: str = "http://127.0.0.1:4000/graphql"

    jwt_issuer: str = "predicthealth-auth"
    jwt_audience: str = "predicthealth"
    jwt_algorithm: Literal["EdDSA", "ES256"] = "EdDSA"
    jwt_access_ttl_seconds: int = 15 * 60
    jwt_refresh_ttl_seconds: int = 30 * 24 * 3600
    jwt_keys_dir: Path | None = Field(default=None, description="default: DATA_DIR/jwt-keys")
    jwt_jwks_url: str | None = Field(
        default=None, description="default: auth service /.well-known/jwks.json"
    )
    service_token: str = Field(
        default="dev-service-token-change-me",
        description="shared secret subgraphs present to each other for service-only mutations",
    )
    redis_prefix: str = Field(default="ph:", description="namespace of every Redis key we write")
    bcrypt_rounds: int = 12
    timezone: str = "UTC"
    # Peers whose X-Forwarded-For is believed (the router's networks): loopback and private ranges.
    trusted_proxies: str = "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7"

    @property
    def is_dev(self) -> bool:
        return self.environment != "production"

    @property
    def graphiql_enabled(self) -> bool:
        return self.is_dev if self.graphiql is None else self.graphiql

    @property
    def introspection_enabled(self) -> bool:
        return self.is_dev if self.introspection is None else self.introspection

    def service_url(self, name: str) -> str:
        url: str = getattr(self, f"{name}_service_url")
        return url

    def redis_key(self, *parts: object) -> str:
        """A namespaced Redis key: tests and tenants sharing a Redis never see each other's keys."""
        return self.redis_prefix + ":".join(str(p) for p in parts)

    def keys_dir(self) -> Path:
        return self.jwt_keys_dir or self.data_dir / "jwt-keys"

    def jwks_url(self) -> str:
        if self.jwt_jwks_url:
            return self.jwt_jwks_url
        base = self.auth_service_url.rsplit("/graphql", 1)[0]
        return f"{base}/.well-known/jwks.json"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
