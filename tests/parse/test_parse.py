"""The parse stage on real and crafted feeds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import ParseError
from monitor.parse import parse
from tests.corpus import DATA as SHARED_DATA

DATA = Path(__file__).parent.parent / "data" / "feeds"
REAL = SHARED_DATA / "feeds" / "real"  # publishers' files: read here, never copied

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire &amp; Co</title><ttl>15</ttl>
<item><title>North Korea fires &lt;b&gt;missile&lt;/b&gt;</title>
<link>/world/nk-missile.html</link><guid isPermaLink="false">id-1</guid>
<description>&lt;p&gt;Seoul said the launch&lt;/p&gt;
&lt;p&gt;was at &lt;a href="/x"&gt;dawn&lt;/a&gt;.&lt;/p&gt;
&lt;script&gt;track()&lt;/script&gt;</description>
<pubDate>Wed, 05 Jan 2022 08:10:00 +0900</pubDate></item>
<item><title>No date</title><link>https://other.example/a</link></item>
</channel></rss>"""


def test_entries_are_plain_text_with_absolute_links_and_utc_dates() -> None:
    feed = parse(RSS, "https://news.example/feeds/world.xml", "wire")
    assert (feed.title, feed.ttl, feed.ill_formed) == ("Wire & Co", 900.0, None)
    first, second = feed.entries
    assert first.feed == "wire" and first.guid == "id-1"
    assert first.url == "https://news.example/world/nk-missile.html"
    assert first.title == "North Korea fires missile"
    assert first.summary == "Seoul said the launch was at dawn."
    assert first.published == datetime(2022, 1, 4, 23, 10, tzinfo=UTC)
    assert first.published.tzinfo is UTC
    assert (second.url, second.published, second.key) == (
        "https://other.example/a",
        None,
        "https://other.example/a",
    )


def test_atom_with_relative_links() -> None:
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
    <entry><id>tag:a,2024:1</id><title type="html">One &amp;amp; two</title>
    <link rel="alternate" href="posts/1"/><updated>2024-03-01T12:00:00Z</updated>
    <content type="html">&lt;div&gt;Body&lt;/div&gt;</content></entry></feed>"""
    (entry,) = parse(atom, "https://blog.example/feed/", "blog").entries
    assert entry.url == "https://blog.example/feed/posts/1"
    assert entry.title == "One & two" and entry.summary == "Body"
    assert entry.published == datetime(2024, 3, 1, 12, tzinfo=UTC)


def test_ill_formed_feed_keeps_its_entries() -> None:
    body = (DATA / "rss_item_link_corrupted_ampersands.xml").read_bytes()
    feed = parse(body, "http://feeds.example/", "f")
    assert [e.url for e in feed.entries] == ["http://link/get?a=1&b=2"]
    assert feed.ill_formed


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ((DATA / "aaa_illformed.xml").read_bytes(), "the XML is broken"),
        (b"", "empty body"),
        (
            b'<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" '
            b'href="/rss.xml"></head><body><p>Home</p></body></html>',
            "HTML page; its feed is at https://site.example/rss.xml",
        ),
        (b"<html><body>Welcome</body></html>", "HTML page, not RSS or Atom"),
        (b'{"items": []}', "JSON but not a JSON Feed"),
        (b"<catalog><book/></catalog>", "no RSS or Atom elements"),
    ],
    ids=["broken-xml", "empty", "html-with-feed-link", "html", "json", "other-xml"],
)
def test_not_a_feed(body: bytes, words: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(body, "https://site.example/news", "site")
    message = str(caught.value)
    assert message.startswith("https://site.example/news: not a feed: ") and words in message


@pytest.mark.parametrize("name", ["economist.xml", "ft-home.xml", "nyt_econ.xml", "wsj_world.xml"])
def test_real_publisher_feeds(name: str) -> None:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"{path} not on this machine")
    feed = parse(path.read_bytes(), "https://publisher.example/feed", name)
    assert len(feed.entries) >= 10 and feed.title
    assert all(e.title and e.url and e.url.startswith("http") for e in feed.entries)
    dated = [e.published for e in feed.entries if e.published]
    assert dated and all(d.tzinfo is UTC for d in dated)
    assert not any("<" in e.summary and ">" in e.summary for e in feed.entries)
