"""The address classifier and the network policy, without connecting anywhere.

Private, link-local, reserved and public addresses appear here only as strings to classify:
nothing in this file opens a connection.
"""

from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest

from monitor.config import load
from monitor.errors import ConfigError
from monitor.netpolicy import (
    AddressClass,
    NetworkPolicy,
    classify_host,
    parse_host,
    parse_network,
)

LOOPBACK = AddressClass.LOOPBACK
PRIVATE = AddressClass.PRIVATE
LINK_LOCAL = AddressClass.LINK_LOCAL
MULTICAST = AddressClass.MULTICAST
UNSPECIFIED = AddressClass.UNSPECIFIED
RESERVED = AddressClass.RESERVED
PUBLIC = AddressClass.PUBLIC

CLASSES = [
    # loopback, however it is spelt
    ("127.0.0.1", LOOPBACK, "dotted"),
    ("127.200.3.4", LOOPBACK, "all-of-127/8"),
    ("2130706433", LOOPBACK, "decimal"),
    ("0x7f000001", LOOPBACK, "hex"),
    ("0X7F000001", LOOPBACK, "hex-upper"),
    ("0x7f.1", LOOPBACK, "hex-two-parts"),
    ("127.1", LOOPBACK, "two-parts"),
    ("127.0.1", LOOPBACK, "three-parts"),
    ("017700000001", LOOPBACK, "octal"),
    ("0177.0.0.01", LOOPBACK, "octal-dotted"),
    ("127.0.0.1.", LOOPBACK, "trailing-dot"),
    ("::1", LOOPBACK, "ipv6"),
    ("[::1]", LOOPBACK, "ipv6-brackets"),
    ("0:0:0:0:0:0:0:1", LOOPBACK, "ipv6-long"),
    ("::ffff:127.0.0.1", LOOPBACK, "ipv4-mapped"),
    ("::ffff:7f00:1", LOOPBACK, "ipv4-mapped-hex"),
    ("[::ffff:7f00:1]", LOOPBACK, "ipv4-mapped-brackets"),
    ("2002:7f00:1::", LOOPBACK, "6to4"),
    ("64:ff9b::7f00:1", LOOPBACK, "nat64"),
    ("localhost", LOOPBACK, "localhost"),
    ("LocalHost.", LOOPBACK, "localhost-fqdn"),
    ("feeds.localhost", LOOPBACK, "dot-localhost"),
    # private
    ("10.1.2.3", PRIVATE, "10/8"),
    ("172.16.0.1", PRIVATE, "172.16/12"),
    ("172.31.255.255", PRIVATE, "172.16/12-top"),
    ("192.168.1.1", PRIVATE, "192.168/16"),
    ("100.64.0.1", PRIVATE, "cgnat"),
    ("0xa000001", PRIVATE, "hex-10/8"),
    ("::ffff:10.0.0.1", PRIVATE, "mapped-10/8"),
    ("2002:c0a8:101::", PRIVATE, "6to4-192.168"),
    ("fc00::1", PRIVATE, "ula-fc"),
    ("fd12:3456::1", PRIVATE, "ula-fd"),
    ("fec0::1", PRIVATE, "site-local"),
    # link-local
    ("169.254.169.254", LINK_LOCAL, "cloud-metadata"),
    ("2852039166", LINK_LOCAL, "metadata-decimal"),
    ("fe80::1", LINK_LOCAL, "ipv6"),
    ("fe80::1%eth0", LINK_LOCAL, "ipv6-zone"),
    ("febf::1", LINK_LOCAL, "fe80/10-top"),
    ("::ffff:169.254.1.1", LINK_LOCAL, "mapped"),
    # multicast
    ("224.0.0.1", MULTICAST, "ipv4"),
    ("239.255.255.250", MULTICAST, "ssdp"),
    ("ff02::1", MULTICAST, "ipv6"),
    # unspecified and reserved
    ("0.0.0.0", UNSPECIFIED, "zero"),
    ("0", UNSPECIFIED, "zero-decimal"),
    ("0.1.2.3", UNSPECIFIED, "this-network"),
    ("::", UNSPECIFIED, "ipv6"),
    ("255.255.255.255", RESERVED, "broadcast"),
    ("240.0.0.1", RESERVED, "class-e"),
    ("192.0.2.10", RESERVED, "documentation"),
    ("198.18.0.1", RESERVED, "benchmarking"),
    ("2001:db8::1", RESERVED, "ipv6-documentation"),
    ("2001:0:4136:e378::1", RESERVED, "teredo"),
    ("::127.0.0.1", RESERVED, "ipv4-compatible"),
    ("100::1", RESERVED, "discard"),
    # public
    ("93.184.215.14", PUBLIC, "ipv4"),
    ("1.1", PUBLIC, "two-parts"),
    ("172.32.0.1", PUBLIC, "just-past-172.16/12"),
    ("2606:4700:4700::1111", PUBLIC, "ipv6"),
    ("::ffff:93.184.215.14", PUBLIC, "mapped"),
    ("64:ff9b::5db8:d70e", PUBLIC, "nat64"),
    # names: only their resolution can tell
    ("example.com", None, "name"),
    ("127.0.0.1.example.com", None, "name-starting-with-digits"),
    ("1.2.3.4.5", None, "five-parts"),
    ("256.0.0.1", None, "part-too-big"),
    ("1.0x1000000", None, "last-part-too-big"),
    ("08.0.0.1", None, "not-octal"),
    ("0xg1", None, "bad-hex"),
    ("-1", None, "negative"),
    ("fe80::zz", None, "bad-ipv6"),
]


@pytest.mark.parametrize(
    ("host", "expected"), [c[:2] for c in CLASSES], ids=[c[2] for c in CLASSES]
)
def test_classify_host(host: str, expected: AddressClass | None) -> None:
    assert classify_host(host) is expected


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1.257", "10.1.1.1"),
        ("017700000001", "127.0.0.1"),
        ("0300.0250.0.01", "192.168.0.1"),
        ("[::1]", "::1"),
        ("::ffff:7f00:1", "::ffff:127.0.0.1"),
        ("localhost", None),
    ],
    ids=["decimal", "hex", "hex-parts", "short", "last-part-fills", "octal", "octal-parts",
         "brackets", "mapped", "name"],
)  # fmt: skip
def test_parse_host_reads_what_the_resolver_reads(host: str, address: str | None) -> None:
    assert parse_host(host) == (ip_address(address) if address else None)


def _policy(*networks: str) -> NetworkPolicy:
    return NetworkPolicy.from_strings(networks)


@pytest.mark.parametrize(
    ("allow", "address", "allowed", "reason"),
    [
        ((), "93.184.215.14", True, "93.184.215.14 is public"),
        ((), "127.0.0.1", False, "127.0.0.1 is a loopback address; only public addresses are "
         "fetched unless network.allow (every feed) or the feed's allow_networks lists its "
         "network (e.g. 127.0.0.1/32)"),
        ((), "10.0.0.5", False, "10.0.0.5 is a private address"),
        ((), "169.254.169.254", False, "169.254.169.254 is a link-local address"),
        ((), "fd00::1", False, "e.g. fd00::1/128"),
        (("127.0.0.2/32",), "127.0.0.2", True, "127.0.0.2 is loopback, allowed by 127.0.0.2/32"),
        (("127.0.0.2/32",), "127.0.0.3", False, "127.0.0.3 is a loopback address"),
        (("127.0.0.2/32",), "::ffff:127.0.0.2", True, "allowed by 127.0.0.2/32"),
        (("127.0.0.2/32",), "::1", False, "::1 is a loopback address"),
        (("10.20.0.0/16",), "10.20.3.4", True, "10.20.3.4 is private, allowed by 10.20.0.0/16"),
        (("10.20.0.0/16",), "10.21.0.1", False, "10.21.0.1 is a private address"),
        (("::1/128",), "::1", True, "::1 is loopback, allowed by ::1/128"),
        (("::1/128",), "127.0.0.1", False, "127.0.0.1 is a loopback address"),
    ],
    ids=["public", "loopback-refused", "private-refused", "link-local-refused", "ula-refused",
         "exact-allowed", "neighbour-refused", "mapped-allowed", "ipv6-loopback-refused",
         "network-allowed", "outside-network-refused", "ipv6-allowed", "other-family-refused"],
)  # fmt: skip
def test_policy_decides_with_a_reason(
    allow: tuple[str, ...], address: str, allowed: bool, reason: str
) -> None:
    verdict = _policy(*allow).check(ip_address(address))
    assert verdict.allowed is allowed
    assert reason in verdict.reason


def test_a_feed_widens_the_policy_without_changing_it() -> None:
    base = _policy("127.0.0.2/32")
    assert base.widened([]) is base
    assert base.widened([ip_network("127.0.0.2/32")]) is base
    wide = base.widened([ip_network("127.0.0.3/32")])
    assert wide.check(ip_address("127.0.0.3")).allowed
    assert not base.check(ip_address("127.0.0.3")).allowed
    assert hash(wide) == hash(_policy("127.0.0.2/32", "127.0.0.3/32"))  # one pool per policy


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("127.0.0.2", "127.0.0.2/32"),
        ("10.0.0.0/8", "10.0.0.0/8"),
        (" fd00::/8 ", "fd00::/8"),
        ("::1", "::1/128"),
    ],
    ids=["address", "cidr", "ipv6-cidr", "ipv6-address"],
)
def test_parse_network(value: str, expected: str) -> None:
    assert parse_network(value) == ip_network(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "network:\n  allow: [10.0.0.0/8, 10.0.0.1/8]\n",
            "c.yaml:2: network.allow.1: '10.0.0.1/8' has host bits set; write the network, "
            "10.0.0.0/8, or one address as 10.0.0.1/32",
            id="host-bits",
        ),
        pytest.param(
            "network:\n  allow:\n    - 10.0.0.0/33\n",
            "c.yaml:3: network.allow.0: '10.0.0.0/33' is not a network; write CIDR such as",
            id="prefix-too-long",
        ),
        pytest.param(
            "network:\n  allow: [intranet]\n",
            "c.yaml:2: network.allow.0: 'intranet' is not a network",
            id="name",
        ),
        pytest.param(
            "network:\n  allow: [8]\n",
            "c.yaml:2: network.allow.0: '8' is not a network",
            id="number",
        ),
        pytest.param(
            "network:\n  allow: 127.0.0.0/8\n",
            "c.yaml:2: network.allow: Input should be a valid list",
            id="not-a-list",
        ),
        pytest.param(
            "network:\n  alow: [127.0.0.0/8]\n",
            "c.yaml:2: network.alow: unknown key 'alow'; did you mean 'allow'?",
            id="typo",
        ),
        pytest.param(
            "feeds:\n  - name: a\n    url: http://10.0.0.5/rss\n"
            "    allow_networks: [10.0.0.5/33]\n",
            "c.yaml:4: feeds.0.allow_networks.0: '10.0.0.5/33' is not a network",
            id="feed-networks",
        ),
    ],
)
def test_bad_networks_in_config_name_file_line_and_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(text, "c.yaml")
    assert message in str(caught.value)


def test_config_networks_become_the_policy_and_the_feeds_own() -> None:
    cfg = load(
        "network:\n  allow: [127.0.0.2]\n"
        "feeds:\n  - {name: a, url: 'http://127.0.0.2:8080/rss', allow_networks: [127.0.0.3/32]}\n"
        "  - {name: b, url: 'https://example.com/rss'}\n"
    )
    assert cfg.network.policy() == _policy("127.0.0.2/32")
    a, b = cfg.feed_objects()
    # The feeds carry the networks they may reach, so that a reload changes them.
    assert a.allow_networks == (ip_network("127.0.0.2/32"), ip_network("127.0.0.3/32"))
    assert b.allow_networks == (ip_network("127.0.0.2/32"),)
    assert load("").network.policy() == NetworkPolicy()  # the default: public addresses only
