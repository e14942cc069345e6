"""The network half of `monitor feeds`: fetch a feed before `add` writes it, and `feeds test`.

Both fetch with the config's polling settings and network policy, widened by the feed's own
`allow_networks` when the feed is configured, as the service would.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from monitor.cli.common import config_path
from monitor.config import Config, FeedConfig, PollingConfig, load_file
from monitor.config_paths import feed_url_key
from monitor.errors import ConfigError, ExtractError, FetchError
from monitor.extract import extract
from monitor.feeds_admin import check_feed_url
from monitor.fetch import PAGE_ACCEPT, Fetcher, make_client
from monitor.models import Article, Entry
from monitor.netpolicy import NetworkPolicy
from monitor.parse import ParsedFeed, parse

ARTICLE_TRIES = 5  # `feeds test` goes on past articles that fail, up to this many


@dataclass(frozen=True, slots=True)
class Target:
    """What `feeds test` fetches: a configured feed, or a bare URL with the config's defaults."""

    url: str
    feed: FeedConfig | None
    polling: PollingConfig
    policy: NetworkPolicy
    rule_paths: list[Path]

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        return tuple(self.feed.headers.items()) if self.feed is not None else ()


def target(ref: str, cfg: Config | None, path: Path) -> Target:
    """The feed named `ref` (or with that URL) in the config, else `ref` as an http(s) URL."""
    feeds = list(cfg.feeds) if cfg is not None else []
    feed = next((f for f in feeds if f.name == ref), None)
    if feed is None and "://" in ref:
        check_feed_url(ref)
        feed = next((f for f in feeds if feed_url_key(f.url) == feed_url_key(ref)), None)
    if feed is None and "://" not in ref:
        names = ", ".join(f.name for f in feeds) or "none"
        raise ConfigError(
            f"{ref!r} is neither the name of a feed in {path} (feeds: {names}) nor an http(s) "
            "URL; give a configured feed's name or a URL such as https://example.com/feed.xml"
        )
    policy = cfg.network.policy() if cfg is not None else NetworkPolicy()
    return Target(
        url=feed.url if feed is not None else ref,
        feed=feed,
        polling=cfg.polling if cfg is not None else PollingConfig(),
        policy=policy.widened(feed.allow_networks) if feed is not None else policy,
        rule_paths=cfg.rule_paths() if cfg is not None else [],
    )


def fetch_feed(url: str, cfg: Config, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Fetch and parse `url` as `feeds add` checks it. Raises FetchError or ParseError."""
    return asyncio.run(probe_feed(url, cfg, headers))


async def probe_feed(url: str, cfg: Config, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """`fetch_feed` inside a running event loop (the web console's add)."""
    async with make_client(cfg.polling, cfg.network.policy()) as client:
        fetcher = Fetcher(client, cfg.polling)
        fetched = await fetcher.fetch(url, headers=(headers or {}).items())
    return parse(fetched.body, fetched.url, "check")


def cmd_test(args: argparse.Namespace) -> int:
    path = config_path(args)
    cfg = load_file(path) if path.exists() else None
    return asyncio.run(_test(target(args.feed, cfg, path)))


async def _test(t: Target) -> int:
    async with make_client(t.polling, t.policy) as client:
        fetcher = Fetcher(client, t.polling)
        fetched = await fetcher.fetch(t.url, headers=t.headers)
        print(f"fetched {fetched.url}: {len(fetched.body):,} bytes in {fetched.elapsed:.2f} s")
        feed = parse(fetched.body, fetched.url, "test")
        note = f" (ill-formed: {feed.ill_formed})" if feed.ill_formed else ""
        print(f"feed {feed.title!r}: {len(feed.entries)} entries{note}")
        if feed.ttl:
            print(f"  ttl {feed.ttl:g} s")
        for entry in feed.entries[:5]:
            when = entry.published.isoformat() if entry.published else "no date"
            print(f"  - {entry.title}  [{when}]  {entry.url or ''}")
        if t.feed is not None and not t.feed.full_text and feed.entries:
            print("full_text is off for this feed: detection reads the first entry's summary")
            first = feed.entries[0]
            _show_detection(first, _article(first, first.summary), t.rule_paths)
            return 0
        linked = [e for e in feed.entries if e.url]
        if not linked:
            print("no entry has a link; nothing to extract")
            return 0
        for entry in linked[:ARTICLE_TRIES]:
            assert entry.url is not None
            try:
                page = await fetcher.fetch(entry.url, accept=PAGE_ACCEPT, headers=t.headers)
            except FetchError as exc:
                print(f"article failed: {exc}")
                continue
            _show_detection(entry, _article(entry, _text(page.body, page.url, entry)), t.rule_paths)
            return 0
    tried = min(len(linked), ARTICLE_TRIES)
    print(
        f"none of the first {tried} articles could be fetched; the service would fail on them "
        "too (set full_text: false on the feed to read its summaries instead)"
    )
    return 1


def _text(body: bytes, url: str, entry: Entry) -> str:
    try:
        text = extract(body, url).text
    except ExtractError as exc:
        print(f"extraction failed: {exc}; detection reads the entry's summary")
        return entry.summary
    print(f"extracted {len(text):,} characters from {url}:")
    print("  " + text[:300].replace("\n", " ") + ("..." if len(text) > 300 else ""))
    return text


def _article(entry: Entry, text: str) -> Article:
    return Article(
        id=f"test:{entry.key}",
        outlet="test",
        title=entry.title,
        text=text,
        url=entry.url,
        published=entry.published or datetime.now(UTC),
    )


def _show_detection(entry: Entry, article: Article, rule_paths: Sequence[Path]) -> None:
    """What the service's stages make of the entry: the screen on its title and summary (which
    decides whether its page is fetched), then detection on the article."""
    from monitor.detect import load_rules  # the rules are slow to import
    from monitor.pipeline import analyse_all, screen, summary_rules_out

    rules = [load_rules(p) for p in rule_paths] or [load_rules(None)]
    if not screen(rules, entry.title, entry.summary):
        print(
            "screen: no trigger word in the entry's title and summary; the service would not "
            "fetch its page (detection below reads it anyway)"
        )
    elif summary_rules_out(rules, _article(entry, entry.summary)):
        print(
            "title and summary: they show no launch; the service would not fetch its page "
            "(detection below reads it anyway)"
        )
    for result in analyse_all(rules, article):
        verdict = "MATCH" if result.detection is not None else "no match"
        print(f"detection: {verdict} (score {result.score:.2f})")
        for line in result.explanation:
            print(f"  {line}")
