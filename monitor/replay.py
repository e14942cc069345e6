"""Offline replay: run detection and event grouping over corpus items, send nothing.

Items arrive in order of publication; an item without a time keeps its place in the file
(it arrives right after the timed item before it). Each item yields one ReplayResult.

Replay is the service's own sequencer (monitor.pipeline) run against a clock and a file: the
same screen, detection, grouping and routing, on a throwaway in-memory store, with the clock set
to each item's publication time. Only fetching differs: the file holds each article's text.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.config import Config, EventsConfig, load
from monitor.dedup import Deduplicator
from monitor.detect import Analysis, RuleSet
from monitor.detect.engine import language_of
from monitor.errors import MonitorError
from monitor.models import Article, Entry, Feed
from monitor.pipeline import Pipeline, screen
from monitor.store import open_store

_FIELDS = ("id", "source", "title", "text", "url", "published")


class InputError(MonitorError):
    """A replay or eval input file is unreadable or not in the corpus schema."""


@dataclass(frozen=True, slots=True)
class ReplayResult:
    article: Article
    analysis: Analysis
    event_id: str | None
    new_event: bool

    def to_json(self) -> dict[str, Any]:
        d = self.analysis.detection
        event = None
        if d is not None:
            event = {
                "type": d.event_type,
                "subtype": d.subtype,
                "actor": d.actor,
                "weapon": d.weapon,
                "date": d.event_date.isoformat() if d.event_date else None,
                "role": d.role,
                "sources": list(d.sources),
                "targets": list(d.targets),
            }
        return {
            "id": self.article.id,
            "language": self.analysis.language,
            "detected": d is not None,
            "score": round(self.analysis.score, 4),
            "event_id": self.event_id,
            "new_event": self.new_event,
            "event": event,
            "explanation": list(self.analysis.explanation),
        }


def _parse_time(value: Any, where: str) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"{where}: 'published' must be an ISO 8601 string or null")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(f"{where}: 'published' is not ISO 8601: {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def read_items(path: str | Path) -> list[Article]:
    """Corpus items from a JSONL file, with errors naming the file and line."""
    return [article for article, _ in read_corpus(path)]


def read_corpus(path: str | Path) -> list[tuple[Article, str | None]]:
    """Corpus items with the language their `lang` field states, when it states one. The
    field is the label's, for measuring: detection identifies the language itself."""
    file = Path(path)
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{file}: cannot read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{file}: not UTF-8 text ({exc.reason})") from exc
    articles: list[tuple[Article, str | None]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{file}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg})") from exc
        if not isinstance(item, dict):
            raise InputError(f"{where}: expected a JSON object with keys {', '.join(_FIELDS)}")
        missing = [k for k in ("id", "title", "text") if not isinstance(item.get(k), str)]
        if missing:
            raise InputError(
                f"{where}: missing or non-text field(s) {', '.join(missing)}; "
                f"each line needs {', '.join(_FIELDS)}"
            )
        article = Article(
            id=item["id"],
            outlet=str(item.get("source") or file.stem),
            title=item["title"],
            text=item["text"],
            url=item.get("url"),
            published=_parse_time(item.get("published"), where),
        )
        lang = item.get("lang")
        articles.append((article, lang if isinstance(lang, str) else None))
    return articles


def arrival_order(articles: Iterable[Article]) -> list[Article]:
    """By publication time; an undated item arrives right after the dated one before it, and
    was published before the dated one after it (`published_before`): the file is read as the
    order items came in. Where the dates go back (another archive appended after the first),
    an undated item between the two is not placed in time by the order (`unplaced`): it may be
    the first archive's last or the next one's first; it arrives just before the dated item
    after it, as the first of the next."""
    items = list(articles)
    following: list[datetime | None] = []
    after: datetime | None = None
    for article in reversed(items):
        following.append(after)
        if article.published is not None:
            after = article.published
    following.reverse()
    keyed = []
    last = datetime.min.replace(tzinfo=UTC)
    for position, article in enumerate(items):
        if article.published is not None:
            last = article.published
        else:
            before = following[position]
            if before is not None and before >= last:
                article = replace(article, published_before=before)
            elif before is not None:
                article = replace(article, unplaced=True)
                keyed.append((before, position, article))
                continue
        keyed.append((last, position, article))
    keyed.sort(key=lambda k: (k[0], k[1]))
    return [a for _, _, a in keyed]


# --- Driving detection ------------------------------------------------------------------------


def replay(
    articles: Iterable[Article],
    rules: RuleSet,
    events: EventsConfig | None = None,
    settle: bool = False,
) -> list[ReplayResult]:
    """Detection and event grouping over the items in arrival order, one result per item.

    With `settle`, each result has the event its report sits in at the end (a background
    report parked on arrival joins the event opened after it)."""
    return asyncio.run(_replay(list(articles), rules, events or EventsConfig(), settle))


SCREENED_BATCH = 1000


async def _replay(
    articles: list[Article], rules: RuleSet, events: EventsConfig, settle: bool
) -> list[ReplayResult]:
    clock = _ReplayClock()
    store = await open_store(":memory:")
    config = _config(events)
    pipeline = Pipeline(
        config=config,
        store=store,
        fetcher=None,
        workers=None,
        rules=[rules],
        dedup=Deduplicator(store, events, clock.now),
        now=clock.now,
    )
    results: list[ReplayResult] = []
    # Entries the screen turns away are recorded together, as a poll records them, before
    # anything else is decided: one statement rather than one transaction each.
    screened: list[Entry] = []
    try:
        for article in arrival_order(articles):
            if article.published is not None:
                clock.at = article.published
            results.append(await _one(pipeline, article, screened))
            if len(screened) >= SCREENED_BATCH:
                await pipeline.dedup.remember_seen(screened)
                screened.clear()
        await pipeline.dedup.remember_seen(screened)
        if not settle:
            return results
        settled = []
        for r in results:
            d = r.analysis.detection
            if d is not None and r.event_id is None:
                found = await store.events.of_articles(d.event_type, [r.article.id])
                if r.article.id in found:
                    r = replace(r, event_id=found[r.article.id].id)
            settled.append(r)
        return settled
    finally:
        await store.close()


async def _one(pipeline: Pipeline, article: Article, screened: list[Entry]) -> ReplayResult:
    """One item through the service's stages: screen, then detect and record. An entry the
    screen turns away joins `screened`, which is recorded before any entry is settled."""
    feed = Feed(name=article.outlet, url=f"replay:{article.outlet}", full_text=False)
    entry = Entry(
        feed=feed.name,
        guid=article.id,
        url=article.url,
        title=article.title,
        summary=article.text,
        published=article.published,
    )
    if not screen(pipeline.rules, entry.title, entry.summary):
        # As a poll records an entry its screen turned away: seen, its text not indexed.
        screened.append(entry)
        return ReplayResult(article, _screened_out(article, pipeline.rules[0]), None, False)
    await pipeline.dedup.remember_seen(screened)
    screened.clear()
    settled = await pipeline.settle(feed, entry, article)
    analysis = settled.analyses[0]
    event_id, new = None, False
    for _, assignment in settled.placed:
        if assignment is not None:
            event_id, new = assignment.event.id, assignment.new_event
    return ReplayResult(article, analysis, event_id, new)


def _screened_out(article: Article, rules: RuleSet) -> Analysis:
    """What the service knows of an item its screen turned away: its language, and why."""
    return Analysis(
        score=0.0,
        threshold=rules.threshold,
        detection=None,
        explanation=("screen: no trigger word of the rules in the title or text",),
        language=language_of(article, rules),
        triggered=False,
    )


def _config(events: EventsConfig) -> Config:
    """Defaults, with the events settings under test; routing goes to no destination."""
    return load("", "<replay>").model_copy(update={"events": events})


class _ReplayClock:
    def __init__(self) -> None:
        self.at = datetime(1970, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at
