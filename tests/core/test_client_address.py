"""The client's address (tremplin/core/http.py): a proxy's header is believed only when the peer
is one of TRUSTED_PROXIES, read from the right past the trusted hops."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from tremplin.core.http import client_address


def address(peer: str, forwarded: str | None = None, **header: str) -> str | None:
    meta = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    meta.update(header)
    return client_address(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert address("198.51.100.7", "203.0.113.9") == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8", "2001:db8::/32"])
@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("10.0.0.5", "203.0.113.9", "203.0.113.9"),
        ("10.0.0.5", "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # a client's forged first entry
        ("10.0.0.5", "203.0.113.9, 10.1.2.3", "203.0.113.9"),  # two proxies in a row
        ("10.0.0.5", "10.9.9.9, 10.1.2.3", "10.9.9.9"),  # every hop trusted: the first one
        ("10.0.0.5", "pas-une-adresse", "10.0.0.5"),  # garbled: the proxy itself
        ("10.0.0.5", "", "10.0.0.5"),
        ("2001:db8::1", "2001:db8:ffff::2, 2a01:e0a::7", "2a01:e0a::7"),
        ("198.51.100.7", "203.0.113.9", "198.51.100.7"),  # not a trusted peer: header ignored
    ],
)
def test_a_trusted_proxys_header_names_the_client(peer: str, forwarded: str, client: str) -> None:
    assert address(peer, forwarded) == client


@override_settings(TRUSTED_PROXIES=["10.0.0.5"], TRUSTED_PROXY_HEADER="X-Real-IP")
def test_the_header_is_a_setting() -> None:
    assert address("10.0.0.5", "1.1.1.1", HTTP_X_REAL_IP="203.0.113.9") == "203.0.113.9"
