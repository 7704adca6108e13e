"""Password hashing: bcrypt over a SHA-256 prehash, run in worker threads so the event loop
never blocks (bcrypt releases the GIL while it works)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import bcrypt

__all__ = [
    "bcrypt_workers",
    "hash_password",
    "hash_password_sync",
    "verify_password",
    "verify_password_sync",
]


def _prehash(password: str) -> bytes:
    # bcrypt reads only 72 bytes; a SHA-256 digest (base64, 44 bytes) keeps every character
    # of a 128-character passphrase significant.
    return base64.b64encode(hashlib.sha256(password.encode("utf-8")).digest())


def hash_password_sync(password: str, rounds: int = 12) -> str:
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds)).decode("ascii")


def verify_password_sync(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(_prehash(password), hashed.encode("ascii"))
    except ValueError:
        return False


def bcrypt_workers() -> int:
    """One bcrypt thread per usable CPU, minus one kept for the event loop (at least one).

    More threads than cores would not hash faster; they would only take CPU time from the loop
    serving every other request. Extra logins queue for a thread instead.
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cpus or 1) - 1)


@lru_cache(maxsize=1)
def _executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=bcrypt_workers(), thread_name_prefix="bcrypt")


async def hash_password(password: str, rounds: int = 12) -> str:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_executor(), hash_password_sync, password, rounds)


async def verify_password(password: str, hashed: str) -> bool:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_executor(), verify_password_sync, password, hashed)
