"""The caller's address: X-Forwarded-For is believed only when a trusted proxy (the router) sent it."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

__all__ = ["client_address", "trusted_networks"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(spec: str) -> tuple[Network, ...]:
    """Parse a comma-separated list of CIDRs (the TRUSTED_PROXIES setting)."""
    return tuple(ipaddress.ip_network(part.strip()) for part in spec.split(",") if part.strip())


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]
) -> str | None:
    """The last X-Forwarded-For hop when `peer` is a trusted proxy, else the peer itself.

    The last hop is the address the router saw; earlier entries are whatever the client claimed.
    A peer outside `trusted` (someone calling a subgraph directly) cannot choose its address, so
    per-IP login throttling cannot be dodged with a forged header.
    """
    if not forwarded_for or peer is None or not _is_trusted(peer, trusted):
        return peer
    last = forwarded_for.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return peer  # not an address: keep what the socket says


def _is_trusted(peer: str, trusted: Sequence[Network]) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False  # e.g. the "testclient" host of in-process transports
    return any(address in network for network in trusted)
