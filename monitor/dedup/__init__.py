"""Deduplication: one alert per real event, however many reports arrive.

Cheapest first:
1. the same item: GUID or canonical URL already seen (`is_known`, before any download);
2. the same text: identical normalised text, or a rewrite found through MinHash/LSH and
   sentence keys (`neardup`);
3. the same event: detections grouped by event type, actor and local date (`events`).

Everything lives in the store, so it survives restarts and is shared by replicas, and `expire`
forgets it after `EventsConfig.horizon`. The stages decide and the store records: `record`
looks up what a decision needs, lets the pure rules decide (monitor.dedup.neardup,
monitor.dedup.events) and writes the outcome (monitor.dedup.storage), inside the caller's
transaction when there is one, so the alerts the caller enqueues commit together with the
grouping.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from monitor.config import EventsConfig
from monitor.dedup import neardup, storage
from monitor.dedup.events import to_event
from monitor.models import Article, Detection, Entry, Event
from monitor.store import Store
from monitor.store.events import ReportDetail
from monitor.store.items import ItemKey, SeenItem
from monitor.urls import canonical_url

__all__ = ["Assignment", "Deduplicator", "canonical_url", "guid_is_global"]

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
    def __init__(self, store: Store, config: EventsConfig, now: Callable[[], datetime]) -> None:
        self._db = store.db
        self._items = store.items
        self._events = store.events
        self._config = config
        self._now = now

    async def is_known(self, entry: Entry) -> bool:
        """Whether this entry was seen before, in any feed: cheap, before any download."""
        return (await self.known([entry]))[0]

    async def known(self, entries: Sequence[Entry]) -> list[bool]:
        """`is_known` for each of a poll's entries, asked of the store at once (a feed's
        repeats of one item are already gone: monitor.intake.each_once)."""
        return await self._items.seen_many([_key(e) for e in entries])

    async def remember(self, entry: Entry, article: Article | None = None) -> None:
        """Mark an entry without detections seen; with its article, index the text for
        near-duplicate lookups."""
        item_id = article.id if article is not None else f"{entry.feed}:{entry.key}"
        text = neardup.record(_text_of(article)) if article is not None else None
        await self._items.add(
            item_id, entry.feed, entry.guid or None, _url(entry, article), text, self._timestamp()
        )

    async def remember_seen(self, entries: Sequence[Entry]) -> None:
        """Mark entries without text seen, in one statement (`remember(entry)` for many)."""
        stamp = self._timestamp()
        await self._items.add_seen(
            [
                SeenItem(f"{e.feed}:{e.key}", e.feed, e.guid or None, _url(e, None), stamp)
                for e in entries
            ]
        )

    async def record(
        self, entry: Entry, article: Article, detections: Sequence[Detection]
    ) -> list[Assignment | None]:
        """Store an article with detections once, then put each detection in its event
        (opening the event when it is the first report of it) and keep what it found, for the
        console to show of every report (an alert carries it only for the one it was about).

        One result per detection; None for a background report (the launch is not the story's
        news) with no event to join. Its detail is kept all the same: an event opened later
        may adopt it."""
        text = neardup.record(_text_of(article))
        async with self._db.transaction():
            stamp = self._timestamp()
            await self._items.add(
                article.id, entry.feed, entry.guid or None, _url(entry, article), text, stamp
            )
            similar = await self._similar(article.id, text)
            placed: list[Assignment | None] = []
            for detection in detections:
                placed.append(await self._assign(article, detection, similar))
                await self._events.add_detail(
                    article.id, detection.event_type, _detail(entry, article, detection), stamp
                )
            return placed

    async def expire(self) -> int:
        """Forget items and events older than the horizon; returns the rows removed."""
        cutoff = self._timestamp() - int(self._config.horizon)
        async with self._db.transaction():
            removed = await self._items.delete_older(cutoff)
            removed += await self._events.delete_older(cutoff)
        if removed:
            log.info("expired", extra={"stage": "dedup", "rows": removed})
        return removed

    async def _similar(self, item_id: str, text: neardup.TextRecord | None) -> dict[str, float]:
        """Stored texts this one copies or rewrites: the store finds candidates, neardup
        judges them."""
        if text is None:
            return {}
        exact = await self._items.with_content_hash(text.content_hash, exclude=item_id)
        candidates = (
            await self._items.candidates(text.keys, exclude=item_id)
            if neardup.looks_up_keys(text)
            else []
        )
        return neardup.similar(text, exact, candidates, self._config.near_duplicate)

    async def _assign(
        self, article: Article, detection: Detection, similar: dict[str, float]
    ) -> Assignment | None:
        decision = await storage.decide(
            self._db,
            self._events,
            article,
            detection,
            similar,
            window_days=self._config.window_days,
            now=self._now(),
        )
        row = await storage.write(self._events, decision)
        if row is None:
            log.debug(
                "background report with no event to join",
                extra={"stage": "dedup", "entry": article.id},
            )
            return None
        event = to_event(row)
        log.debug("assigned", extra={"stage": "dedup", "entry": article.id, "event": event.id})
        return Assignment(
            event=event,
            new_event=decision.new_event,
            duplicate_of=neardup.best(similar),
            new_facts=decision.new_facts,
            outlets=event.outlets,
        )

    def _timestamp(self) -> int:
        return int(self._now().timestamp())


def _key(entry: Entry) -> ItemKey:
    url = canonical_url(entry.url) if entry.url else None
    guid = entry.guid or None
    return ItemKey(entry.feed, guid, url, guid_is_global(guid) if guid else False)


def _detail(entry: Entry, article: Article, detection: Detection) -> ReportDetail:
    """What the console shows of one report: the article as read, and the detection's verdict."""
    return ReportDetail(
        title=article.title,
        url=article.url or entry.url,
        language=detection.language or article.language,
        published=article.published,
        role=detection.role,
        score=detection.score,
        explanation=tuple(detection.explain()),
    )


def _text_of(article: Article) -> str:
    return article.text if article.text.strip() else article.title


def _url(entry: Entry, article: Article | None) -> str | None:
    url = entry.url or (article.url if article is not None else None)
    return canonical_url(url) if url else None
