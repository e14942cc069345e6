"""The network policy end to end, against real servers on loopback addresses.

A feed is served on 127.0.0.2, the only address allowed. Article links and redirects that lead
to 127.0.0.3, to 127.0.0.1 or to a name resolving to loopback must be refused before anything
is sent: each refusal is an `AddressRefused` naming the URL, the address and its class, one log
line and one count in monitor_ssrf_blocked_total, and the servers they point at see no request.
Every address connected to here is a loopback one.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from ipaddress import ip_address, ip_network
from pathlib import Path

import pytest
from prometheus_client import generate_latest

from monitor import metrics
from monitor.config import PollingConfig, load
from monitor.errors import AddressRefused
from monitor.fetch import Fetcher, make_client, outcome_of
from monitor.netguard import system_resolve
from monitor.netpolicy import IPAddress, NetworkPolicy
from monitor.service import Service
from tests.servers.http import FeedServer, Reply

ALLOWED = "127.0.0.2/32"
HINT = (
    "only public addresses are fetched unless network.allow (every feed) or the feed's "
    "allow_networks lists its network"
)
FEED_OK = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


@dataclass
class Hosts:
    allowed: FeedServer  # 127.0.0.2: the feed's own host, allowed
    other: FeedServer  # 127.0.0.3: another loopback host, not allowed
    home: FeedServer  # 127.0.0.1: the machine itself, not allowed


@pytest.fixture
def hosts() -> Iterator[Hosts]:
    servers = [FeedServer(host="127.0.0.2"), FeedServer(host="127.0.0.3"), FeedServer()]
    for server in servers:
        server.start()
        server.set("/a.html", "<html><body><p>secret</p></body></html>")
    try:
        yield Hosts(*servers)
    finally:  # each stop waits out a poll interval: stop them side by side
        stopping = [threading.Thread(target=s.stop) for s in servers]
        for thread in stopping:
            thread.start()
        for thread in stopping:
            thread.join()


@pytest.fixture
def cfg() -> PollingConfig:
    return PollingConfig(timeout=2.0, max_redirects=3)


@pytest.fixture
async def fetcher(cfg: PollingConfig) -> AsyncIterator[Fetcher]:
    async with make_client(cfg, NetworkPolicy.from_strings([ALLOWED])) as client:
        yield Fetcher(client, cfg)


def blocked(address_class: str = "loopback") -> float:
    """monitor_ssrf_blocked_total{address_class} as /metrics shows it (only that metric is
    collected: the outbox gauge of a service closed by an earlier test cannot be read)."""
    only = metrics.REGISTRY.restricted_registry(["monitor_ssrf_blocked_total"])
    text = generate_latest(only).decode()
    found = re.search(
        rf'^monitor_ssrf_blocked_total\{{address_class="{address_class}"\}} (\S+)$', text, re.M
    )
    return float(found.group(1)) if found else 0.0


async def close(service: Service) -> None:
    await service.close()
    # Service.close leaves /metrics showing the closed service's last gauge readings: unhook
    # them, so that later tests render /metrics without them.
    metrics.track(outbox_depth=lambda: 0.0, feeds_in_error=lambda: 0.0)


def refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "monitor.fetch" and hasattr(r, "address")]


# The URL (ports filled in), what the error names after "refused to connect to ", and the
# refused address (None: whatever the system resolver gives first for localhost).
CASES = [
    pytest.param("http://127.0.0.3:{other}/a.html", "127.0.0.3", "127.0.0.3", id="other-host"),
    pytest.param("http://127.0.0.1:{home}/a.html", "127.0.0.1", "127.0.0.1", id="127.0.0.1"),
    pytest.param(
        "http://127.0.0.2:{allowed}/hop",
        "127.0.0.3, reached by a redirect",
        "127.0.0.3",
        id="redirect-to-other-host",
    ),
    pytest.param("http://localhost:{home}/a.html", "localhost ({address})", None, id="localhost"),
    pytest.param(
        "http://2130706433:{home}/a.html", "2130706433 (127.0.0.1)", "127.0.0.1", id="decimal"
    ),
    pytest.param(
        "http://0x7f000003:{other}/a.html", "0x7f000003 (127.0.0.3)", "127.0.0.3", id="hex"
    ),
    pytest.param(
        "http://[::ffff:127.0.0.3]:{other}/a.html",
        "::ffff:127.0.0.3 (::ffff:7f00:3)",
        "::ffff:7f00:3",
        id="ipv4-mapped-ipv6",
    ),
]


@pytest.mark.parametrize(("template", "where", "address"), CASES)
async def test_refused_before_anything_is_sent(
    hosts: Hosts,
    fetcher: Fetcher,
    caplog: pytest.LogCaptureFixture,
    template: str,
    where: str,
    address: str | None,
) -> None:
    hosts.allowed.script("/hop", [Reply.redirect(hosts.other.url("/a.html"))])
    ports = {"allowed": hosts.allowed.port, "other": hosts.other.port, "home": hosts.home.port}
    url = template.format(**ports)
    if address is None:
        address = str((await system_resolve("localhost", hosts.home.port))[0])
    before = blocked()
    caplog.set_level(logging.WARNING, logger="monitor.fetch")

    with pytest.raises(AddressRefused) as caught:
        await fetcher.fetch(url)

    error = caught.value
    single = f"{address}/{ip_address(address).max_prefixlen}"
    assert str(error) == (
        f"{url}: refused to connect to {where.format(address=address)}: {address} is a "
        f"loopback address; {HINT} (e.g. {single})"
    )
    assert (error.url, error.address, error.address_class) == (url, address, "loopback")
    assert outcome_of(error) == "refused"
    [record] = refusals(caplog)
    assert record.levelno == logging.WARNING
    logged = {k: getattr(record, k) for k in ("url", "address", "address_class", "stage")}
    assert logged == {"url": url, "address": address, "address_class": "loopback", "stage": "fetch"}
    assert blocked() == before + 1
    assert hosts.other.requests == [] and hosts.home.requests == []
    hops = [r.path for r in hosts.allowed.requests]
    assert hops == (["/hop"] if "redirect" in where else [])


async def test_the_allowed_host_is_fetched(hosts: Hosts, fetcher: Fetcher) -> None:
    hosts.allowed.set("/feed", FEED_OK)
    result = await fetcher.fetch(hosts.allowed.url("/feed"))
    assert (result.status, result.body) == (200, FEED_OK)
    assert [r.path for r in hosts.allowed.requests] == ["/feed"]


async def test_by_default_even_127_0_0_1_is_refused(hosts: Hosts, cfg: PollingConfig) -> None:
    async with make_client(cfg) as client:
        with pytest.raises(AddressRefused, match=re.escape("127.0.0.1 is a loopback address")):
            await Fetcher(client, cfg).fetch(hosts.home.url("/a.html"))
    assert hosts.home.requests == []


class Rebinding:
    """A resolver whose answers change between lookups, as a rebinding attacker's DNS does."""

    def __init__(self, *answers: Sequence[str]) -> None:
        self.answers = [[ip_address(a) for a in answer] for answer in answers]
        self.lookups: list[str] = []

    async def __call__(self, host: str, port: int) -> Sequence[IPAddress]:
        self.lookups.append(host)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


async def test_dns_rebinding_is_checked_on_every_connection(
    hosts: Hosts, cfg: PollingConfig
) -> None:
    # The server closes each connection, so every fetch resolves and connects afresh.
    hosts.allowed.set("/feed", FEED_OK, headers={"Connection": "close"})
    resolver = Rebinding(["127.0.0.2"], ["127.0.0.3"])
    url = f"http://news.test:{hosts.allowed.port}/feed"
    policy = NetworkPolicy.from_strings([ALLOWED])
    async with make_client(cfg, policy, resolve=resolver) as client:
        fetcher = Fetcher(client, cfg)
        first = await fetcher.fetch(url)
        with pytest.raises(AddressRefused, match=r"news\.test \(127\.0\.0\.3\)"):
            await fetcher.fetch(url)  # the same name and port: only the answer changed
    assert first.status == 200
    assert hosts.allowed.requests[0].headers["Host"] == f"news.test:{hosts.allowed.port}"
    assert resolver.lookups == ["news.test", "news.test"]
    assert len(hosts.allowed.requests) == 1 and hosts.other.requests == []


async def test_a_name_with_one_private_answer_among_allowed_ones_is_refused(
    hosts: Hosts, cfg: PollingConfig
) -> None:
    resolver = Rebinding(["127.0.0.2", "127.0.0.3"])
    async with make_client(cfg, NetworkPolicy.from_strings([ALLOWED]), resolve=resolver) as client:
        with pytest.raises(AddressRefused, match=re.escape("127.0.0.3 is a loopback address")):
            await Fetcher(client, cfg).fetch(f"http://mixed.test:{hosts.allowed.port}/feed")
    assert hosts.allowed.requests == [] and hosts.other.requests == []


async def test_a_feeds_own_networks_do_not_leak_to_other_requests(
    hosts: Hosts, fetcher: Fetcher
) -> None:
    url = hosts.other.url("/a.html")
    page = await fetcher.fetch(url, allow_networks=[ip_network("127.0.0.3/32")])
    assert b"secret" in page.body
    # The connection opened for that feed stays in its own pool: no reuse without the allowance.
    with pytest.raises(AddressRefused, match=re.escape("127.0.0.3 is a loopback address")):
        await fetcher.fetch(url)
    assert len(hosts.other.requests) == 1


def _rss(items: list[tuple[str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{html.escape(title)}</title><link>{html.escape(link)}</link>"
        f"<guid>{html.escape(link)}</guid>"
        f"<description>{html.escape(title)}. The launch was reported by officials.</description>"
        "</item>"
        for title, link in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        f"<link>http://127.0.0.2/</link><description>Wire</description>{body}</channel></rss>"
    ).encode()


async def test_the_service_refuses_article_links_and_feeds_it_may_not_reach(
    tmp_path: Path, hosts: Hosts, caplog: pytest.LogCaptureFixture
) -> None:
    links = {
        "other": hosts.other.url("/a.html"),
        "home": hosts.home.url("/a.html"),
        "redirect": hosts.allowed.url("/hop"),
        "localhost": f"http://localhost:{hosts.home.port}/a.html",
    }
    hosts.allowed.script("/hop", [Reply.redirect(hosts.other.url("/a.html"))])
    hosts.allowed.set("/ok.html", "<html><body><p>A page on the allowed host.</p></body></html>")
    items = [(f"North Korea fires ballistic missile ({k})", u) for k, u in links.items()]
    items.append(("North Korea fires ballistic missile (allowed)", hosts.allowed.url("/ok.html")))
    hosts.allowed.set("/rss.xml", _rss(items))
    elsewhere = hosts.other.url("/rss.xml")
    hosts.other.set("/rss.xml", FEED_OK)
    cfg = load(
        f"store:\n  url: sqlite:///{tmp_path / 'monitor.sqlite3'}\n"
        f"http:\n  listen: null\nnetwork:\n  allow: [{ALLOWED}]\n"
        f"feeds:\n  - {{name: Wire, url: '{hosts.allowed.url('/rss.xml')}'}}\n"
        f"  - {{name: Elsewhere, url: '{elsewhere}'}}\n",
        str(tmp_path / "monitor.yaml"),
    )
    service = Service(cfg)
    await service.build()
    before = blocked()
    caplog.set_level(logging.WARNING)
    try:
        results = {r.feed: r for r in await service.once()}
    finally:
        await close(service)

    assert results["Wire"].outcome == "200" and results["Wire"].new_entries == 5
    assert results["Elsewhere"].outcome == "refused"
    assert (results["Elsewhere"].error or "").startswith(
        f"{elsewhere}: refused to connect to 127.0.0.3: 127.0.0.3 is a loopback address"
    )
    refused = sorted((vars(r)["url"], vars(r)["address_class"]) for r in refusals(caplog))
    assert refused == sorted((url, "loopback") for url in [*links.values(), elsewhere])
    assert blocked() == before + 5
    assert hosts.other.requests == [] and hosts.home.requests == []
    assert sorted(r.path for r in hosts.allowed.requests) == ["/hop", "/ok.html", "/rss.xml"]
    fallbacks = [r.getMessage() for r in caplog.records if r.name == "monitor.pipeline"]
    refused_pages = [
        m for m in fallbacks if "detecting on the feed summary" in m and "refused" in m
    ]
    assert len(refused_pages) == 4


async def test_a_reload_that_allows_the_network_lets_the_feed_through(
    tmp_path: Path, hosts: Hosts
) -> None:
    hosts.allowed.set("/rss.xml", FEED_OK)

    def config(allow: str) -> str:
        return (
            f"store:\n  url: sqlite:///{tmp_path / 'monitor.sqlite3'}\n"
            f"http:\n  listen: null\nnetwork:\n  allow: {allow}\n"
            f"feeds:\n  - {{name: Wire, url: '{hosts.allowed.url('/rss.xml')}'}}\n"
        )

    service = Service(load(config("[]"), "monitor.yaml"))
    await service.build()
    try:
        refused = await service.poll(service.feeds()[0])
        await service.reconfigure(load(config(f"[{ALLOWED}]"), "monitor.yaml"))
        # at once, not when the refused poll's retry is due
        allowed = await service.poll(service.feeds()[0], due_only=False)
    finally:
        await close(service)
    assert refused is not None and refused.outcome == "refused"
    assert allowed is not None and allowed.outcome == "200"
    assert [r.path for r in hosts.allowed.requests] == ["/rss.xml"]
