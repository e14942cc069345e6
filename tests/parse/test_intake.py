"""What one poll takes from a feed: each item once, and the newest `max_items`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.intake import each_once, newest, read_feed
from monitor.models import Entry

T0 = datetime(2024, 5, 1, tzinfo=UTC)


def entry(
    name: str, *, guid: str | None = None, url: str | None = None, hours: int | None = None
) -> Entry:
    published = T0 + timedelta(hours=hours) if hours is not None else None
    return Entry("wire", guid, url, name, "", published)


@pytest.mark.parametrize(
    ("entries", "kept"),
    [
        ([entry("a", guid="g1"), entry("b", guid="g1"), entry("c", guid="g2")], ["a", "c"]),
        (
            [
                entry("a", url="https://news.example/x?utm_source=rss"),
                entry("b", guid="other", url="https://www.news.example/x/"),
                entry("c", url="https://news.example/y"),
            ],
            ["a", "c"],
        ),
        # A GUID shared with one entry and a link shared with another: still one item.
        (
            [
                entry("a", guid="g1", url="https://news.example/1"),
                entry("b", guid="g2", url="https://news.example/2"),
                entry("c", guid="g2", url="https://news.example/1"),
            ],
            ["a", "b"],
        ),
        ([entry("same"), entry("same"), entry("other")], ["same", "other"]),
    ],
    ids=["guid", "canonical-url", "either-key", "title-only"],
)
def test_each_once(entries: list[Entry], kept: list[str]) -> None:
    assert [e.title for e in each_once(entries)] == kept


@pytest.mark.parametrize(
    ("entries", "limit", "kept"),
    [
        ([entry("a", hours=1), entry("b", hours=3), entry("c", hours=2)], 2, ["b", "c"]),
        ([entry("a", hours=1), entry("b", hours=3)], 5, ["a", "b"]),
        # Undated entries rank after dated ones, by their place in the feed.
        ([entry("u1"), entry("d", hours=0), entry("u2"), entry("u3")], 2, ["u1", "d"]),
    ],
    ids=["by-date-in-feed-order", "under-the-limit", "undated"],
)
def test_newest(entries: list[Entry], limit: int, kept: list[str]) -> None:
    assert [e.title for e in newest(entries, limit)] == kept


def test_read_feed_counts_what_it_leaves_out() -> None:
    items = b"".join(
        b"<item><title>Story %d</title><guid>id-%d</guid>"
        b"<pubDate>Wed, 01 May 2024 %02d:00:00 GMT</pubDate></item>" % (i, i % 8, i)
        for i in range(12)
    )
    body = b'<rss version="2.0"><channel><title>W</title>' + items + b"</channel></rss>"
    intake = read_feed(body, "https://news.example/feed", "wire", 5)
    # ids 0-7 once each (the first occurrences: stories 0-7), then the newest five of those.
    assert (intake.total, intake.duplicates, intake.skipped) == (12, 4, 3)
    assert [e.title for e in intake.entries] == [f"Story {i}" for i in (3, 4, 5, 6, 7)]
