"""Device identity from the User-Agent: parsed names, and a fingerprint stable across upgrades."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from user_agents import parse

__all__ = ["DeviceInfo", "describe_device"]


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    fingerprint: str
    browser: str
    os: str
    device_type: str
    user_agent: str | None


def _device_type(agent: object) -> str:
    for attribute, name in (
        ("is_bot", "bot"),
        ("is_tablet", "tablet"),
        ("is_mobile", "mobile"),
        ("is_pc", "desktop"),
    ):
        if getattr(agent, attribute):
            return name
    return "other"


def describe_device(user_agent: str | None) -> DeviceInfo:
    raw = (user_agent or "")[:512]
    agent = parse(raw)
    browser = agent.browser.family[:64]
    os_name = agent.os.family[:64]
    kind = _device_type(agent)
    # Families, not versions: a browser update is the same device, another browser is not.
    basis = "|".join((browser, os_name, agent.device.family, kind))
    if browser == "Other" and os_name == "Other":
        basis += "|" + raw  # an unparsed client (a script, an SDK): its whole UA names it
    fingerprint = hashlib.sha256(basis.encode("utf-8")).hexdigest()
    return DeviceInfo(fingerprint, browser, os_name, kind, raw or None)
