"""Feeds that try to stall the service or aim it at a site, polled over real HTTP on loopback:
a 20,000-item feed, one item repeated 500 times, 200 launch-ish items, slow article links,
NUL bytes, invalid UTF-8 and an entity-expansion DOCTYPE."""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from monitor import metrics
from monitor.config import Config, load
from monitor.errors import ConfigError
from monitor.health import HealthServer
from monitor.intake import Intake
from monitor.models import Entry, Feed
from monitor.pipeline import PollResult
from monitor.service import Service
from tests.servers import loopback
from tests.servers.http import FeedServer, Reply
from tests.servers.news import AP_TITLE, SEEDS, page

START = datetime(2024, 1, 1, tzinfo=UTC)
AP_TEXT = (SEEDS / "ap-2022-01-05-north-korea-missile.txt").read_text()
BRIEF = "The ministry said it would give details later, and officials declined to comment."


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


@pytest.fixture
async def build(
    tmp_path: Path, server: FeedServer
) -> AsyncIterator[Callable[..., Awaitable[Service]]]:
    """Builds the service polling /feed.xml (polling settings as keywords); closes it after
    the test, so the test can still read its store and the metrics."""
    built: list[Service] = []

    async def make(**polling: float) -> Service:
        built.append(Service(config(tmp_path, server, **polling)))
        await built[-1].build()
        return built[-1]

    yield make
    for service in built:
        await service.close()
    # The store gauges show the closed services' last readings: leave none showing them.
    metrics.track(outbox_depth=lambda: 0.0, feeds_in_error=lambda: 0.0)


def config(tmp_path: Path, server: FeedServer, **polling: float) -> Config:
    doc = {
        "store": {"url": f"sqlite:///{tmp_path / 'monitor.sqlite3'}"},
        "polling": {"interval": 60, "timeout": 5, **polling},
        "http": {"listen": None},
        "network": loopback.NETWORK,
        "feeds": [{"name": "hostile", "url": server.url("/feed.xml")}],
    }
    return load(json.dumps(doc), str(tmp_path / "monitor.yaml"))


def rss(items: list[tuple[str | None, str, str, str]], head: str = "") -> bytes:
    """An RSS document of (guid, link, title, description) items, `head` before <rss>.
    A lone surrogate such as "\udcff" in the text becomes that raw (invalid) byte."""
    body = "".join(
        f"<item><title>{title}</title><link>{html.escape(link)}</link>"
        + (f"<guid>{html.escape(guid)}</guid>" if guid else "")
        + f"<description>{description}</description></item>"
        for guid, link, title, description in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{head}<rss version="2.0"><channel>'
        f"<title>Hostile</title>{body}</channel></rss>"
    ).encode("utf-8", "surrogateescape")


def counter(name: str, **labels: str) -> float:
    """A counter's value as /metrics shows it."""
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = rf"^{re.escape(name)}\{{{re.escape(want)}\}} (\S+)$"
    found = re.search(pattern, metrics.render().decode(), re.M)
    return float(found.group(1)) if found else 0.0


def article_gets(server: FeedServer, prefix: str) -> list[str]:
    return [r.path for r in server.requests if r.path.startswith(prefix)]


async def seen(service: Service, link: str) -> bool:
    """Whether the item with this link is marked seen: a later poll would skip it."""
    return await service.pipeline.dedup.is_known(Entry("hostile", None, link, "", "", None))


async def poll(service: Service, feed: Feed | None = None) -> PollResult:
    """One poll of the feed through the pipeline, with its state as stored."""
    feed = feed or service.feeds()[0]
    return await service.pipeline.poll(feed, await service.store_or_fail.feeds.get(feed.url))


async def test_a_20000_item_feed_keeps_its_500_newest_while_health_answers(
    server: FeedServer,
    build: Callable[..., Awaitable[Service]],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Oldest first, as some feeds are: the 500 newest are the last 500, not the first.
    links = [server.url(f"/big/{i}.html") for i in range(20_000)]
    items = "".join(
        f"<item><title>Market update {i}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{format_datetime(START + timedelta(minutes=i))}</pubDate></item>"
        for i, link in enumerate(links)
    )
    server.set(
        "/feed.xml", f'<rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'
    )
    service = await build()
    health = HealthServer("127.0.0.1:0")
    await health.start()
    capped = counter("monitor_items_capped_total", feed="hostile")
    new = counter("monitor_new_entries_total", feed="hostile")

    # Watch the real parse: note when it starts, and when it ends among the other events.
    order: list[str] = []
    parsing = asyncio.Event()
    workers = service.pipeline.workers
    read_feed = workers.read_feed

    async def watched(*args: object, **kwargs: object) -> Intake:
        parsing.set()
        intake = await read_feed(*args, **kwargs)
        order.append("parsed")
        return intake

    monkeypatch.setattr(workers, "read_feed", watched)
    with caplog.at_level(logging.WARNING, logger="monitor"):
        try:
            polling = asyncio.create_task(poll(service))
            await parsing.wait()
            async with httpx.AsyncClient() as client:
                answer = await client.get(f"{health.url}/healthz")
            order.append(f"healthz {answer.status_code}")
            result = await polling
        finally:
            await health.stop()

    assert order == ["healthz 200", "parsed"]
    assert result.outcome == "200" and result.new_entries == 500
    assert await seen(service, links[-1]) and await seen(service, links[19_500])
    assert not await seen(service, links[19_499]) and not await seen(service, links[0])
    assert "feed hostile: 20000 entries, 500 kept (newest), 19500 skipped" in caplog.messages
    assert counter("monitor_items_capped_total", feed="hostile") - capped == 19_500
    assert counter("monitor_new_entries_total", feed="hostile") - new == 500


@pytest.mark.parametrize(
    "link_of",
    [
        lambda i, url: (url, url),
        lambda i, url: (f"tag:wire.example,2024:{i}", url),
        lambda i, url: (None, f"{url}?utm_source=feed&utm_campaign=c{i}"),
    ],
    ids=["same-item", "same-link-other-guids", "same-page-tracking-params"],
)
async def test_an_item_repeated_500_times_costs_one_article_fetch(
    server: FeedServer,
    build: Callable[..., Awaitable[Service]],
    caplog: pytest.LogCaptureFixture,
    link_of: Callable[[int, str], tuple[str | None, str]],
) -> None:
    url = server.url("/a.html")
    server.set("/a.html", page(AP_TITLE, "AP", AP_TEXT))
    items = [(*link_of(i, url), html.escape(AP_TITLE), "") for i in range(500)]
    server.set("/feed.xml", rss(items))
    service = await build()
    with caplog.at_level(logging.WARNING, logger="monitor"):
        result = await poll(service)

    assert len(article_gets(server, "/a.html")) == 1
    assert result.new_entries == 1 and result.new_events == 1
    assert (
        "feed hostile: 500 entries, 499 repeating an earlier one (same GUID or link) dropped, "
        "1 kept" in caplog.messages
    )


async def test_200_launch_reports_cost_at_most_50_article_fetches_per_poll(
    server: FeedServer, build: Callable[..., Awaitable[Service]], caplog: pytest.LogCaptureFixture
) -> None:
    items = []
    for i in range(200):
        path = f"/n/{i}.html"
        server.set(path, page(f"Launch report {i}", "Wire", BRIEF))
        items.append(
            (None, server.url(path), f"North Korea fires ballistic missile, report {i}", "")
        )
    server.set("/feed.xml", rss(items))
    service = await build()
    capped = counter("monitor_articles_capped_total", feed="hostile")
    with caplog.at_level(logging.WARNING, logger="monitor"):
        first = await poll(service)
    first_gets = article_gets(server, "/n/")
    capped = counter("monitor_articles_capped_total", feed="hostile") - capped
    second = await poll(service)

    assert len(first_gets) == 50 and first.new_entries == 50
    assert capped == 150
    assert (
        "feed hostile: 150 article fetches over the limit of 50 per poll "
        "(polling.max_articles); those items wait for the next poll" in caplog.messages
    )
    # Nothing is lost: the next poll reads the unchanged feed again and takes the next 50.
    second_gets = article_gets(server, "/n/")[50:]
    assert second.outcome == "200" and second.new_entries == 50
    assert len(second_gets) == 50 and not set(second_gets) & set(first_gets)


async def test_a_poll_stops_at_its_deadline_and_the_next_poll_fetches_the_rest(
    server: FeedServer, build: Callable[..., Awaitable[Service]], caplog: pytest.LogCaptureFixture
) -> None:
    paths = [f"/slow/{i}.html" for i in range(5)]
    for i, path in enumerate(paths):
        server.set(path, page(f"Report {i}", "Wire", BRIEF), delay=1.0)
    items = [(None, server.url(p), f"North Korea fires ballistic missile, report {i}", "")
             for i, p in enumerate(paths)]  # fmt: skip
    server.set("/feed.xml", rss(items))
    # Five pages of one second each cannot all be fetched in a 2.5 s poll.
    service = await build(timeout=2, poll_deadline=2.5)
    feed = service.feeds()[0]
    hits = counter("monitor_poll_deadline_hit_total", feed="hostile")
    with caplog.at_level(logging.WARNING, logger="monitor"):
        first = await poll(service, feed)
    waiting = [p for p in paths if not await seen(service, server.url(p))]
    for i, path in enumerate(paths):
        server.script(path, [Reply(body=page(f"Report {i}", "Wire", BRIEF))])
    before_second = len(server.requests)
    second = await poll(service, feed)

    assert first.new_entries < 5 and len(waiting) == 5 - first.new_entries
    assert counter("monitor_poll_deadline_hit_total", feed="hostile") - hits == 1
    assert any(
        m.startswith("feed hostile: poll deadline of 2.5 s reached (polling.poll_deadline)")
        for m in caplog.messages
    )
    fetched_next = [r.path for r in server.requests[before_second:] if r.path != "/feed.xml"]
    assert second.outcome == "200" and sorted(fetched_next) == sorted(waiting)
    assert second.new_entries == len(waiting)
    assert all([await seen(service, server.url(p)) for p in paths])


BILLION_LAUGHS = (
    '<!DOCTYPE rss [<!ENTITY l0 "lol">'
    + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    + "]>"
)


@pytest.mark.parametrize(
    ("body", "metric", "labels", "count", "logged"),
    [
        (
            rss([(None, "/a.html", "North\x00 Korea\x00 fires ballistic missile", "")]),
            "monitor_invalid_bytes_total",
            {"kind": "nul"},
            2,
            "2 NUL bytes removed",
        ),
        (
            rss([(None, "/a.html", "North Korea fires ballistic missile", "Seoul \udcff")]),
            "monitor_invalid_bytes_total",
            {"kind": "utf8"},
            1,
            "1 invalid UTF-8 sequences replaced by U+FFFD",
        ),
        (
            rss(
                [(None, "/a.html", "&l9;North Korea fires ballistic missile&l3;", "")],
                head=BILLION_LAUGHS,
            ),
            "monitor_doctype_refused_total",
            {},
            1,
            "DOCTYPE declaring 10 entities refused",
        ),
    ],
    ids=["nul", "invalid-utf8", "billion-laughs"],
)
async def test_broken_and_hostile_feed_text_is_counted_and_kept_out_of_headlines(
    server: FeedServer,
    build: Callable[..., Awaitable[Service]],
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    metric: str,
    labels: dict[str, str],
    count: int,
    logged: str,
) -> None:
    server.set("/a.html", page(AP_TITLE, "AP", AP_TEXT))
    server.set("/feed.xml", body.replace(b"/a.html", server.url("/a.html").encode()))
    service = await build()
    before = counter(metric, feed="hostile", **labels)
    with caplog.at_level(logging.WARNING, logger="monitor"):
        result = await poll(service)
    assert service.store is not None
    headlines = [a.headline for a in await service.store.outbox.recent()]

    assert result.new_entries == 1
    assert counter(metric, feed="hostile", **labels) - before == count
    (line,) = [m for m in caplog.messages if m.startswith("feed hostile: ")]
    assert logged in line
    assert headlines == ["North Korea fires ballistic missile"]


@pytest.mark.parametrize(
    ("yaml", "error"),
    [
        ("polling:\n  max_items: 0\n", "c.yaml:2: polling.max_items: Input should be greater"),
        ("polling:\n  max_articles: all\n", "c.yaml:2: polling.max_articles: Input should be"),
        ("polling:\n  poll_deadline: soon\n", "c.yaml:2: polling.poll_deadline: 'soon' is not a"),
        (
            "polling:\n  timeout: 30s\n  poll_deadline: 30s\n",
            "c.yaml:3: polling.poll_deadline: 30 s is not longer than polling.timeout (30 s)",
        ),
        ("polling:\n  max_item: 5\n", "unknown key 'max_item'; did you mean 'max_items'?"),
    ],
    ids=["max-items-zero", "max-articles-word", "deadline-word", "deadline-short", "typo"],
)
def test_the_limits_are_validated_with_the_line_and_key(yaml: str, error: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(yaml, "c.yaml")
    assert error in str(caught.value)


def test_the_limits_default_and_take_durations() -> None:
    polling = load("polling:\n  poll_deadline: 5m\n", "c.yaml").polling
    assert (polling.max_items, polling.max_articles, polling.poll_deadline) == (500, 50, 300.0)
