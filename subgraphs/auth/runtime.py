"""What the auth subgraph keeps per process: signing keys, the revocation mirror, login policy."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI

from subgraphs.auth.keys import KeyStore
from subgraphs.auth.passwords import hash_password
from subgraphs.auth.revocation import RevocationMirror
from subgraphs.auth.throttle import LoginPolicy
from subgraphs.kit.context import RequestContext

__all__ = ["AuthRuntime", "runtime_of", "start_runtime", "stop_runtime"]


@dataclass(kw_only=True)
class AuthRuntime:
    keys: KeyStore
    mirror: RevocationMirror
    #: Verified against when the email is unknown, so both paths cost one bcrypt check.
    dummy_hash: str
    policy: LoginPolicy = field(default_factory=LoginPolicy)


def runtime_of(ctx: RequestContext) -> AuthRuntime:
    assert ctx.request is not None
    runtime: AuthRuntime = ctx.request.app.state.auth
    return runtime


async def start_runtime(app: FastAPI) -> None:
    settings = app.state.settings
    keys = KeyStore(app.state.sessions, settings)
    await keys.load(force=True)
    mirror = RevocationMirror(app.state.sessions, app.state.redis, settings)
    mirror.start()
    dummy = await hash_password("not a real password, only a timing decoy", settings.bcrypt_rounds)
    app.state.auth = AuthRuntime(keys=keys, mirror=mirror, dummy_hash=dummy)


async def stop_runtime(app: FastAPI) -> None:
    runtime: AuthRuntime | None = getattr(app.state, "auth", None)
    if runtime is not None:
        await runtime.mirror.stop()
