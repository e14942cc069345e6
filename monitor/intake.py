"""What one poll takes from a feed body: each item once, and at most the newest `max_items`.

    read_feed(body, base_url, feed_name, max_items) = parse, then each_once, then newest

It runs in a worker process (monitor.workers), so however many items a feed carries, only the
kept ones come back to the event loop and cost a seen-check there. Pure: no network, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from monitor.models import Entry
from monitor.parse import ParsedFeed, parse
from monitor.urls import canonical_url


@dataclass(frozen=True, slots=True)
class Intake:
    """A parsed feed with the entries one poll keeps, and how many it left out."""

    feed: ParsedFeed  # its entries are the kept ones, in feed order
    total: int  # entries in the feed
    duplicates: int  # entries repeating an earlier one (same GUID or link), dropped
    skipped: int  # distinct entries beyond `max_items`: the oldest, dropped

    @property
    def entries(self) -> list[Entry]:
        return self.feed.entries


def read_feed(body: bytes, base_url: str, feed_name: str, max_items: int) -> Intake:
    """Parse a feed body and keep what one poll processes. Raises ParseError like `parse`."""
    parsed = parse(body, base_url, feed_name)
    distinct = each_once(parsed.entries)
    kept = newest(distinct, max_items)
    return Intake(
        feed=replace(parsed, entries=kept),
        total=len(parsed.entries),
        duplicates=len(parsed.entries) - len(distinct),
        skipped=len(distinct) - len(kept),
    )


def each_once(entries: Sequence[Entry]) -> list[Entry]:
    """The entries in feed order without those repeating an earlier one: the same GUID, or a
    link to the same page (canonical URL), is the same item, as `Deduplicator.is_known` finds
    on later polls. So a feed listing one item 500 times costs one article fetch, not 500."""
    seen: set[tuple[str, str]] = set()
    out = []
    for entry in entries:
        keys = _identities(entry)
        if seen.isdisjoint(keys):
            out.append(entry)
        seen.update(keys)
    return out


def newest(entries: Sequence[Entry], limit: int) -> list[Entry]:
    """The `limit` newest entries, in their feed order. Dated entries come before undated ones,
    which rank by their place in the feed (feeds list their newest first)."""
    if len(entries) <= limit:
        return list(entries)

    def age(i: int) -> tuple[bool, float, int]:
        published = entries[i].published
        return (published is None, -published.timestamp() if published else 0.0, i)

    keep = sorted(sorted(range(len(entries)), key=age)[:limit])
    return [entries[i] for i in keep]


def _identities(entry: Entry) -> list[tuple[str, str]]:
    keys = []
    if entry.guid:
        keys.append(("guid", entry.guid))
    if entry.url:
        keys.append(("url", canonical_url(entry.url)))
    return keys or [("title", entry.title)]
