"""Replicas of `monitor run` against a farm of feeds: the shared parts of tests/test_replicas.py
and bench/bench_replicas.py.

The farm is FEEDS feeds on one FeedServer. Launch reports from generated streams (tests/farm/
stream.py: three actors, consecutive-day launches and second salvos, four languages, 40 outlets)
go to the feeds of their outlets; every feed also carries unremarkable items. Reports are
revealed in waves while the replicas run.
"""

from __future__ import annotations

import html
import os
import signal
import subprocess
import sys
from collections.abc import Iterable
from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path

import yaml

from monitor.models import Article
from tests.farm.stream import stream
from tests.servers import loopback
from tests.servers.http import FeedServer
from tests.servers.slack import SlackServer

FEEDS = 300
HOSTS = 10  # loopback addresses the feeds are spread over


def reports() -> tuple[list[Article], dict[str, str]]:
    first, truth1 = stream(1, outlets=40)
    second, truth2 = stream(2, outlets=40, start=date(2024, 4, 8))
    return first + second, {**truth1, **truth2}


def rss(server: FeedServer, name: str, items: list[Article]) -> bytes:
    body = "".join(
        f"<item><title>{html.escape(a.title)}</title><link>{html.escape(a.url or '')}</link>"
        f"<guid>{html.escape(a.id)}</guid><pubDate>{format_datetime(a.published or _NOW)}"
        f"</pubDate><description>{html.escape(a.text)}</description></item>"
        for a in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>'
        f"<link>{server.base_url}</link><description>{name}</description>{body}"
        "</channel></rss>"
    ).encode()


_NOW = datetime(2024, 3, 1, tzinfo=UTC)
_FILLER = [
    Article(
        id=f"filler-{i}",
        outlet="filler",
        title=f"Council approves budget for district {i}",
        text=f"The council of district {i} approved next year's budget after a long debate.",
        url=f"https://news.example/filler/{i}",
        published=_NOW,
    )
    for i in range(3)
]


class Farm:
    """`feeds` feeds spread over `hosts` servers on distinct loopback addresses (127.0.0.2...),
    as feeds are spread over sites: per-host limits act as they would. The reports go to feeds
    by outlet and are revealed wave by wave; a feed answers 304 until its items change."""

    def __init__(
        self, reports: list[Article], feeds: int = FEEDS, hosts: int = HOSTS, waves: int = 3
    ) -> None:
        self.servers = [FeedServer(host=f"127.0.0.{2 + h}").start() for h in range(hosts)]
        self.feeds = feeds
        self.shown: dict[int, list[Article]] = {i: list(_FILLER) for i in range(feeds)}
        self.waves = [reports[i::waves] for i in range(waves)]
        self._publish(range(feeds))

    def close(self) -> None:
        for server in self.servers:
            server.stop()

    def server_of(self, feed: int) -> FeedServer:
        return self.servers[feed % len(self.servers)]

    def url(self, feed: int) -> str:
        return self.server_of(feed).url(f"/f{feed}.xml")

    def requests_to(self, feed: int) -> list[float]:
        """When the feed was requested (time.time()), in order."""
        return sorted(r.time for r in self.server_of(feed).requests_to(f"/f{feed}.xml"))

    def requests(self) -> int:
        return sum(len(s.requests) for s in self.servers)

    def polled(self) -> int:
        """How many feeds were requested at least once."""
        return sum(len({r.path for r in s.requests}) for s in self.servers)

    def feed_of(self, article: Article) -> int:
        return int(article.outlet.split()[-1]) * 7 % self.feeds

    def reveal(self, wave: int) -> None:
        self.show(self.waves[wave])

    def show(self, articles: list[Article]) -> None:
        changed = set()
        for article in articles:
            feed = self.feed_of(article)
            self.shown[feed].insert(0, article)
            changed.add(feed)
        self._publish(changed)

    def _publish(self, feeds: Iterable[int]) -> None:
        for i in feeds:
            items = self.shown[i]
            server = self.server_of(i)
            server.set(
                f"/f{i}.xml",
                rss(server, f"feed {i}", items),
                etag=f'"{i}-{len(items)}"',
                headers={"Content-Type": "application/rss+xml"},
            )


def write_config(
    folder: Path,
    farm: Farm,
    slack: SlackServer,
    store_url: str,
    *,
    interval: float,
    lease: float,
    listen: str | None = None,
) -> Path:
    doc = {
        "store": {"url": store_url, "lease": lease},
        "http": {"listen": listen},
        "network": loopback.NETWORK,
        "polling": {"interval": interval, "min_interval": 1},
        "feeds": [
            {"name": f"feed-{i}", "url": farm.url(i), "full_text": False} for i in range(farm.feeds)
        ],
        "notify": {
            "destinations": {
                "desk": {
                    "type": "slack",
                    "channel": "#alerts",
                    "token_env": "TEST_SLACK_TOKEN",
                    "base_url": slack.url,
                }
            },
            "delivery": {"slack_pace": 0, "followup_cooldown": 0},
        },
        "logging": {"format": "text"},
    }
    path = folder / "monitor.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


class Replica:
    """One `monitor run` process, its output in `<logs>/<name>.log`."""

    def __init__(self, name: str, config: Path, env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.log = logs / f"{name}.log"
        self._out = self.log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "run", "-c", str(config)],
            stdout=self._out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
        )

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()
        return self.proc.returncode

    def text(self) -> str:
        return self.log.read_text(errors="replace")
