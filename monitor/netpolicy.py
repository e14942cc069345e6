"""Which addresses the service may connect to: a pure classifier and the policy built on it.

A feed is written by someone else, and so are its article links and redirects; fetched as
given they would reach the service's own machine and network (SSRF). So only public addresses
are fetched unless the config allows a network:

    network:
      allow: [10.20.0.0/16]        # every feed and article
    feeds:
      - name: intranet
        url: http://10.20.1.5/rss
        allow_networks: [10.20.1.5/32]   # this feed and its articles only

`parse_host` reads a host the way the C resolver does (2130706433, 0x7f000001, 0x7f.1, 127.1,
017700000001, [::1], fe80::1%eth0), `classify` names an address's class, looking inside IPv6
addresses that carry an IPv4 one (::ffff:127.0.0.1, 6to4, NAT64), and `NetworkPolicy.check`
decides. Nothing here resolves a name or connects: `monitor.netguard` does that, and checks
every address it is about to connect to.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

ALLOW_KEYS = "network.allow (every feed) or the feed's allow_networks"


class AddressClass(StrEnum):
    LOOPBACK = "loopback"
    PRIVATE = "private"
    LINK_LOCAL = "link_local"
    MULTICAST = "multicast"
    UNSPECIFIED = "unspecified"
    RESERVED = "reserved"
    PUBLIC = "public"

    @property
    def text(self) -> str:
        return self.value.replace("_", "-")


def _table(
    rows: Iterable[tuple[str, AddressClass]],
) -> tuple[tuple[IPNetwork, AddressClass], ...]:
    return tuple((ipaddress.ip_network(net), cls) for net, cls in rows)


# Explicit tables, not `ipaddress`'s is_private & co., whose lists change between Python versions.
_IPV4 = _table(
    [
        ("0.0.0.0/8", AddressClass.UNSPECIFIED),  # "this network": Linux connects 0.0.0.0 locally
        ("10.0.0.0/8", AddressClass.PRIVATE),
        ("100.64.0.0/10", AddressClass.PRIVATE),  # carrier-grade NAT
        ("127.0.0.0/8", AddressClass.LOOPBACK),
        ("169.254.0.0/16", AddressClass.LINK_LOCAL),  # cloud metadata lives here
        ("172.16.0.0/12", AddressClass.PRIVATE),
        ("192.0.0.0/24", AddressClass.RESERVED),
        ("192.0.2.0/24", AddressClass.RESERVED),  # documentation
        ("192.88.99.0/24", AddressClass.RESERVED),  # old 6to4 relays
        ("192.168.0.0/16", AddressClass.PRIVATE),
        ("198.18.0.0/15", AddressClass.RESERVED),  # benchmarking
        ("198.51.100.0/24", AddressClass.RESERVED),
        ("203.0.113.0/24", AddressClass.RESERVED),
        ("224.0.0.0/4", AddressClass.MULTICAST),
        ("240.0.0.0/4", AddressClass.RESERVED),  # and 255.255.255.255
    ]
)
_IPV6 = _table(
    [
        ("::/128", AddressClass.UNSPECIFIED),
        ("::1/128", AddressClass.LOOPBACK),
        ("64:ff9b:1::/48", AddressClass.PRIVATE),  # local-use NAT64
        ("100::/64", AddressClass.RESERVED),  # discard
        ("2001::/32", AddressClass.RESERVED),  # Teredo: tunnels to wherever its client says
        ("2001:db8::/32", AddressClass.RESERVED),  # documentation
        ("fc00::/7", AddressClass.PRIVATE),  # unique local
        ("fe80::/10", AddressClass.LINK_LOCAL),
        ("fec0::/10", AddressClass.PRIVATE),  # the old site-local
        ("ff00::/8", AddressClass.MULTICAST),
    ]
)
_GLOBAL_UNICAST = IPv6Network("2000::/3")
_NAT64 = IPv6Network("64:ff9b::/96")
_HEX = re.compile(r"0[xX][0-9a-fA-F]*")
_OCTAL = re.compile(r"0[0-7]+")
_DECIMAL = re.compile(r"[1-9][0-9]*|0")


def parse_host(host: str) -> IPAddress | None:
    """The address a host string spells, or None when it is a name to resolve.

    IPv4 is read as inet_aton reads it, which is what getaddrinfo and so the connection do:
    one to four parts, each decimal, 0x-hex or 0-octal, the last one filling the rest.
    """
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if ":" in text:
        try:
            return IPv6Address(text)
        except ValueError:
            return None
    return _inet_aton(text.removesuffix("."))


def _inet_aton(text: str) -> IPv4Address | None:
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values = []
    for part in parts:
        value = _number(part)
        if value is None:
            return None
        values.append(value)
    *head, last = values
    if any(v > 0xFF for v in head) or last >= 256 ** (4 - len(head)):
        return None
    number = last
    for i, v in enumerate(head):
        number |= v << (8 * (3 - i))
    return IPv4Address(number)


def _number(part: str) -> int | None:
    if _HEX.fullmatch(part):
        return int(part[2:] or "0", 16)
    if _OCTAL.fullmatch(part):
        return int(part, 8)
    return int(part) if _DECIMAL.fullmatch(part) else None


def embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 one reaches: IPv4-mapped, NAT64 (64:ff9b::/96) or 6to4."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def classify(address: IPAddress) -> AddressClass:
    """The class of one address; an IPv6 address carrying an IPv4 one has that one's class."""
    if isinstance(address, IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            return classify(inner)
        table = _IPV6
    else:
        table = _IPV4
    # Most specific first: the tables are short, so a scan that keeps the longest match is fine.
    best: tuple[int, AddressClass] | None = None
    for network, cls in table:
        if address in network and (best is None or network.prefixlen > best[0]):
            best = (network.prefixlen, cls)
    if best is not None:
        return best[1]
    if isinstance(address, IPv6Address) and address not in _GLOBAL_UNICAST:
        return AddressClass.RESERVED
    return AddressClass.PUBLIC


def classify_host(host: str) -> AddressClass | None:
    """The class of a host as written; None for a name, which only its resolution can tell."""
    name = host.strip().rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return AddressClass.LOOPBACK  # RFC 6761: always the machine itself
    address = parse_host(host)
    return None if address is None else classify(address)


def parse_network(value: str) -> IPNetwork:
    """A network from config: CIDR (10.0.0.0/8, fd00::/8) or one address (127.0.0.2)."""
    text = value.strip()
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        if "host bits set" in str(exc):
            fixed = ipaddress.ip_network(text, strict=False)
            raise ValueError(
                f"{value!r} has host bits set; write the network, {fixed}, or one address "
                f"as {text.split('/')[0]}/{fixed.max_prefixlen}"
            ) from None
        raise ValueError(
            f"{value!r} is not a network; write CIDR such as 10.20.0.0/16, 127.0.0.1/32 or fd00::/8"
        ) from None


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision for one address, with the reason a user reads."""

    address: IPAddress
    address_class: AddressClass
    allowed: bool
    reason: str


@dataclass(frozen=True, slots=True)
class NetworkPolicy:
    """Public addresses are allowed; any other only inside one of the `allow` networks."""

    allow: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_strings(cls, networks: Iterable[str]) -> NetworkPolicy:
        return cls(tuple(parse_network(n) for n in networks))

    def widened(self, networks: Iterable[IPNetwork]) -> NetworkPolicy:
        """This policy with more allowed networks (a feed's own), or itself if none are new."""
        extra = tuple(n for n in networks if n not in self.allow)
        return NetworkPolicy(self.allow + extra) if extra else self

    def check(self, address: IPAddress) -> Verdict:
        cls = classify(address)
        if cls is AddressClass.PUBLIC:
            return Verdict(address, cls, True, f"{address} is public")
        candidates: list[IPAddress] = [address]
        if isinstance(address, IPv6Address) and (inner := embedded_ipv4(address)) is not None:
            candidates.append(inner)
        for network in self.allow:
            if any(a in network for a in candidates):
                return Verdict(address, cls, True, f"{address} is {cls.text}, allowed by {network}")
        single = f"{address}/{address.max_prefixlen}"
        return Verdict(
            address,
            cls,
            False,
            f"{address} is a {cls.text} address; only public addresses are fetched unless "
            f"{ALLOW_KEYS} lists its network (e.g. {single})",
        )
