"""Deduplication: one alert per real event, however many reports arrive.

Cheapest first:
1. the same item: GUID or canonical URL already seen (`is_known`, before any download);
2. the same text: identical normalised text, or a rewrite found through MinHash/LSH and
   sentence keys (`neardup`);
3. the same event: detections grouped by event type, actor and local date (`events`).

Everything lives in the store, so it survives restarts, and `expire` forgets it after
`EventsConfig.horizon`. `assign` runs inside the caller's transaction and never commits on its
own, so the alerts the caller enqueues commit together with the grouping.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from monitor.config import EventsConfig
from monitor.dedup import neardup
from monitor.dedup.events import EventGrouper, to_event
from monitor.dedup.urls import canonical_url
from monitor.models import Article, Detection, Entry, Event
from monitor.store.events import EventRepo
from monitor.store.items import ItemRepo

__all__ = ["Assignment", "Deduplicator", "canonical_url"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one report went: its event, and what it adds to it."""

    event: Event
    new_event: bool  # this report opened the event: send a `new` alert, else a `followup`
    duplicate_of: str | None  # article id of a copy or rewrite of this text already seen
    new_facts: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    outlets: tuple[str, ...] = ()  # outlets that have reported the event, this one included


def guid_is_global(guid: str) -> bool:
    """Whether a GUID names the item worldwide (a URL, tag: or urn: id), not only in its feed.

    Feeds that number their items 1, 2, 3 would otherwise hide each other's entries.
    """
    return len(guid) >= 24 or (len(guid) >= 8 and any(c in guid for c in ":/@"))


class Deduplicator:
    def __init__(
        self,
        store_items: ItemRepo,
        store_events: EventRepo,
        config: EventsConfig,
        now: Callable[[], datetime],
    ) -> None:
        self._items = store_items
        self._events = store_events
        self._config = config
        self._now = now
        self._texts = neardup.TextIndex(store_items, config.near_duplicate)
        self._grouper = EventGrouper(store_events, config.window_days, now)
        # The last text fingerprinted and its record: the pipeline fingerprints an article in
        # `remember` and again in `assign`, once per detection; the record is a pure function
        # of the text.
        self._last_record: tuple[str, neardup.TextRecord | None] | None = None

    def is_known(self, entry: Entry) -> bool:
        """Whether this entry was seen before, in any feed: cheap, before any download."""
        url = canonical_url(entry.url) if entry.url else None
        guid = entry.guid or None
        return self._items.seen(entry.feed, guid, url, guid_is_global(guid) if guid else False)

    def remember(self, entry: Entry, article: Article | None = None) -> None:
        """Mark the entry seen; with its article, index the text for near-duplicate lookups."""
        item_id = article.id if article is not None else f"{entry.feed}:{entry.key}"
        url = entry.url or (article.url if article is not None else None)
        text = self._record(_text_of(article)) if article is not None else None
        self._items.add(
            item_id,
            entry.feed,
            entry.guid or None,
            canonical_url(url) if url else None,
            text,
            self._timestamp(),
        )

    def assign(self, article: Article, detection: Detection) -> Assignment | None:
        """Put a detection in its event; opens the event when it is the first report of it.

        None: a background report (the launch is not the story's news) with no event to join.
        """
        text = self._record(_text_of(article))
        with self._items.db.transaction():
            similar = self._texts.similar(article.id, text)
            self._items.add(
                article.id,
                article.outlet,
                None,
                canonical_url(article.url) if article.url else None,
                text,
                self._timestamp(),
            )
            placement = self._grouper.place(article, detection, similar)
        if placement is None:
            log.debug(
                "background report with no event to join",
                extra={"stage": "dedup", "entry": article.id},
            )
            return None
        event = to_event(placement.event)
        log.debug(
            "assigned",
            extra={"stage": "dedup", "entry": article.id, "event": event.id},
        )
        return Assignment(
            event=event,
            new_event=placement.new_event,
            duplicate_of=neardup.best(similar),
            new_facts=placement.new_facts,
            outlets=event.outlets,
        )

    def expire(self) -> int:
        """Forget items and events older than the horizon; returns the rows removed."""
        cutoff = self._timestamp() - int(self._config.horizon)
        with self._items.db.transaction():
            removed = self._items.delete_older(cutoff) + self._events.delete_older(cutoff)
        if removed:
            log.info("expired", extra={"stage": "dedup", "rows": removed})
        return removed

    def _timestamp(self) -> int:
        return int(self._now().timestamp())

    def _record(self, text: str) -> neardup.TextRecord | None:
        last = self._last_record
        if last is not None and last[0] == text:
            return last[1]
        record = neardup.record(text)
        self._last_record = (text, record)
        return record


def _text_of(article: Article) -> str:
    return article.text if article.text.strip() else article.title
