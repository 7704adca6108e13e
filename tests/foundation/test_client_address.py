"""Whose address a subgraph records and throttles by: X-Forwarded-For only from trusted proxies."""

from __future__ import annotations

import pytest

from subgraphs.kit.client_address import client_address, trusted_networks
from subgraphs.kit.settings import Settings

TRUSTED = trusted_networks(Settings().trusted_proxies)


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        # The router (loopback or a private network) appends the address it saw: believed.
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),
        ("172.18.0.5", "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the client's claim ignored
        ("::1", "2001:db8::1", "2001:db8::1"),
        # A caller from outside reaching a subgraph directly cannot pick its address.
        ("203.0.113.99", "10.9.9.9", "203.0.113.99"),
        # No header, or not an address: the socket's peer.
        ("127.0.0.1", None, "127.0.0.1"),
        ("127.0.0.1", "unknown", "127.0.0.1"),
        ("testclient", "203.0.113.7", "testclient"),
        (None, "203.0.113.7", None),
    ],
)
def test_client_address(peer: str | None, forwarded: str | None, expected: str | None) -> None:
    assert client_address(peer, forwarded, TRUSTED) == expected


def test_trusted_proxies_setting_is_a_cidr_list() -> None:
    assert [str(n) for n in trusted_networks("10.1.0.0/16, 192.0.2.4")] == [
        "10.1.0.0/16",
        "192.0.2.4/32",
    ]
