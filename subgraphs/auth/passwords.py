"""Password hashing: bcrypt, run in a worker thread so the event loop never blocks."""

from __future__ import annotations

import asyncio
import base64
import hashlib

import bcrypt

__all__ = ["hash_password", "hash_password_sync", "verify_password", "verify_password_sync"]


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


async def hash_password(password: str, rounds: int = 12) -> str:
    return await asyncio.to_thread(hash_password_sync, password, rounds)


async def verify_password(password: str, hashed: str) -> bool:
    return await asyncio.to_thread(verify_password_sync, password, hashed)
