"""The one place that sequences the stages for a feed:

    fetch feed -> parse (each item once, the newest max_items) -> seen? -> prefilter
        -> title and summary decide? -> fetch page -> extract -> detect -> dedup (event)
        -> outbox

Cheap before expensive: entries already seen, or whose title and summary cannot be a report,
never cost a page download; nor do those whose summary holds the lead and, read with the
title, shows no launch at all (`summary_rules_out`). Parse and extract run in worker processes
(monitor.workers) and a page's detection in a thread, so the event loop keeps answering health
checks and polling other feeds meanwhile. A poll fetches at most `polling.max_articles` pages
and stops at `polling.poll_deadline` (monitor.limits); an item whose page it did not fetch is
not marked seen, and waits for the next poll.

The stages decide and the store records: `settle` loads what grouping and routing need, calls
them, and writes their decisions (the item, its event, the alerts it owes) in one transaction,
so an event is never recorded without its alerts. Delivery happens elsewhere (notify.deliver):
polling never waits on it.

This is the only sequencer. `monitor replay` and `eval` run it against a clock and a file
(monitor.replay), `monitor scan` and `monitor feeds test` ask it for the same verdicts
(`screen`, `analyse`) without recording anything.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import datetime

from monitor import metrics, schedule
from monitor.config import Config
from monitor.dedup import Assignment, Deduplicator
from monitor.detect import Analysis, RuleSet, analyse, prefilter
from monitor.errors import ExtractError, FetchError, ParseError
from monitor.fetch import PAGE_ACCEPT, Fetcher, FetchResult, outcome_of
from monitor.limits import ArticleBudget, report_deferred, report_intake
from monitor.models import Article, Detection, Entry, Feed
from monitor.notify.route import route_alerts
from monitor.store import Store
from monitor.store import urgent as store_urgent
from monitor.store.feeds import FeedState
from monitor.workers import Workers

log = logging.getLogger(__name__)

# (feed, "failing" or "recovered", error streak, last error)
FeedHealthHook = Callable[[Feed, str, int, str | None], Awaitable[None]]


async def _no_health_hook(feed: Feed, change: str, streak: int, error: str | None) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Settled:
    """What the stages made of one article: each rule set's analysis, and where each
    detection went (None: a background report with no event to join)."""

    analyses: tuple[Analysis, ...]
    placed: tuple[tuple[Detection, Assignment | None], ...] = ()

    @property
    def detections(self) -> int:
        return len(self.placed)

    @property
    def new_events(self) -> int:
        return sum(1 for _, a in self.placed if a is not None and a.new_event)


def screen(rules: Sequence[RuleSet], title: str, summary: str) -> bool:
    """Whether an entry's title and summary could be a report: only then is its page fetched."""
    return any(prefilter(f"{title}\n{summary}", r) for r in rules)


def analyse_all(rules: Sequence[RuleSet], article: Article) -> tuple[Analysis, ...]:
    return tuple(analyse(article, r) for r in rules)


# A feed summary this long holds at least the lead sentence: enough to decide on.
SUMMARY_DECIDES = 120


def summary_rules_out(rules: Sequence[RuleSet], article: Article) -> bool:
    """Whether an entry's title and summary (as `article`) are long enough to decide on and
    show no launch at all, not even one in passing: then its page is not fetched. A launch
    report names the launch in its headline or lead, and a launch only deeper in the body is
    background, which never opens an event (see monitor.dedup.events)."""
    return summary_decides(article) and not summary_shows_launch(rules, article)


def summary_decides(article: Article) -> bool:
    """Whether an entry's summary (as `article`) is long enough to hold its lead."""
    return len(article.text.strip()) >= SUMMARY_DECIDES


def summary_shows_launch(rules: Sequence[RuleSet], article: Article) -> bool:
    """Whether an entry's title and summary (as `article`) already show a launch: its page is
    read first."""
    return any(a.detection is not None for a in analyse_all(rules, article))


@dataclass(frozen=True, slots=True)
class PollResult:
    feed: str
    outcome: str  # "200", "304", "unchanged", or an error kind such as "timeout"
    new_entries: int = 0  # new items processed and stored (not those left for a later poll)
    detections: int = 0
    new_events: int = 0
    error: str | None = None
    next_poll: datetime | None = None


class Pipeline:
    def __init__(
        self,
        *,
        config: Config,
        store: Store,
        fetcher: Fetcher | None,
        workers: Workers | None,
        rules: Sequence[RuleSet],
        dedup: Deduplicator,
        now: Callable[[], datetime],
        on_alerts: Callable[[], None] = lambda: None,
        on_feed_health: FeedHealthHook = _no_health_hook,
    ) -> None:
        self.config = config
        self.store = store
        # Parse and extract run off the event loop. Replay has neither: its file holds the text.
        self._fetcher = fetcher
        self._workers = workers
        self.rules = list(rules)
        self.dedup = dedup
        self.now = now
        self.on_alerts = on_alerts  # wakes the delivery worker
        self.on_feed_health = on_feed_health  # tells the ops destinations a feed is down or back

    async def poll(self, feed: Feed, state: FeedState | None) -> PollResult:
        """Poll one feed and process its new entries. Never raises for one feed's failure.
        `state` is the feed's state as its lease was taken (monitor.service)."""
        started = self.now()
        polling = self.config.polling
        budget = ArticleBudget.for_poll(polling, asyncio.get_running_loop().time())
        try:
            fetched = await self.fetcher.fetch(
                feed.url,
                etag=state.etag if state else None,
                last_modified=state.last_modified if state else None,
                headers=feed.headers,
                allow_networks=feed.allow_networks,
            )
        except FetchError as exc:
            return await self._failed(feed, state, exc)
        metrics.FETCH_LATENCY.observe((self.now() - started).total_seconds())

        if fetched.status == 304:
            return await self._succeeded(feed, state, "304", fetched, None, 0)
        body_hash = fetched.body_hash
        if state is not None and state.body_hash == body_hash:
            return await self._succeeded(feed, state, "unchanged", fetched, body_hash, 0)
        try:
            intake = await self.workers.read_feed(
                fetched.body, fetched.url, feed.name, polling.max_items
            )
        except ParseError as exc:
            return await self._failed(feed, state, exc)
        report_intake(feed.name, intake)

        new = stored = detections = events = 0
        # Entries that cannot be reports are recorded as seen with the poll's outcome, in its
        # one transaction: a commit per item cost more than everything else they need.
        unremarkable: list[Entry] = []
        wanted: list[tuple[Entry, bool]] = []  # entries to read, and whether urgently
        # A changed feed may bring a launch: what it has seen is asked ahead of routine work.
        with store_urgent():
            known = await self.dedup.known(intake.entries)
        for entry, seen in zip(intake.entries, known, strict=True):
            if seen:
                continue
            new += 1
            if not screen(self.rules, entry.title, entry.summary):
                unremarkable.append(entry)
                stored += 1
                continue
            shows = False
            if self._reads_page(feed, entry):
                lead = self._as_article(feed, entry, entry.title, entry.summary)
                shows = summary_shows_launch(self.rules, lead)
                if not shows and summary_decides(lead):  # `summary_rules_out`: no page
                    metrics.PAGES_SPARED.labels(feed=feed.name).inc()
                    unremarkable.append(entry)
                    stored += 1
                    continue
            wanted.append((entry, shows))
        # Entries whose title and summary already show a launch first: an alert does not wait
        # for the pages of the feed's other items (nor, in the workers, for other feeds' pages).
        wanted.sort(key=lambda e: not e[1])
        for entry, urgent in wanted:
            with store_urgent() if urgent else nullcontext():
                # Pages take time: another feed's poll may have brought the same item meanwhile.
                if await self.dedup.is_known(entry):
                    continue
                processed = await self.process(feed, entry, budget, urgent=urgent)
            if processed is not None:
                stored += 1
                detections += processed[0]
                events += processed[1]
        report_deferred(feed.name, budget, polling)
        if stored or budget.deferred:
            log.info(
                "feed %s: %d new items stored, %d left for the next poll",
                feed.name,
                stored,
                budget.deferred,
                extra={"feed": feed.name, "stage": "poll"},
            )
        # Without a body hash, the last poll left items waiting (or the feed was reset): their
        # being new again says nothing about items scrolling off.
        first_poll = state is None or state.last_success is None or state.body_hash is None
        all_new = schedule.all_items_new(new, len(intake.entries), first_poll=first_poll)
        if all_new:
            metrics.MISSED_ITEMS.labels(feed=feed.name).inc()
            log.warning(
                "all %d items are new since the last poll: items may have been missed; "
                "polling this feed sooner",
                new,
                extra={"feed": feed.name, "stage": "poll"},
            )
        metrics.NEW_ENTRIES.labels(feed=feed.name).inc(stored)
        return await self._succeeded(
            feed,
            state,
            "200",
            fetched,
            body_hash,
            stored,
            ttl=intake.feed.ttl,
            all_new=all_new,
            item_count=intake.total,
            detections=detections,
            events=events,
            # Items left waiting: the next poll must read the feed again, changed or not.
            keep_validators=not budget.deferred,
            seen=unremarkable,
        )

    async def process(
        self, feed: Feed, entry: Entry, budget: ArticleBudget, *, urgent: bool = False
    ) -> tuple[int, int] | None:
        """Take one new entry that passed `screen` through the stages; returns (detections,
        new events), or None when its article page is left for a later poll (a limit of this
        poll was reached): the entry is not marked seen then. `urgent`: its title and summary
        show a launch, so its page goes ahead of others waiting for the workers (and, when its
        caller says so with `monitor.store.urgent`, its statements ahead of routine ones)."""
        article = await self._article(feed, entry, budget, urgent)
        if article is None:
            return None
        settled = await self.settle(feed, entry, article)
        return settled.detections, settled.new_events

    async def settle(self, feed: Feed, entry: Entry, article: Article) -> Settled:
        """Detect, then record the item, its events and the alerts they owe, in one
        transaction. Detection decides before the transaction: it needs nothing stored."""
        analyses = await self._analysed(article)
        found = [a.detection for a in analyses if a.detection is not None]
        if not found:
            await self.dedup.remember(entry, article)
            return Settled(analyses)
        # Alerts wait on this: it goes ahead of routine work in the store's queue.
        with store_urgent():
            async with self.store.transaction():
                assignments = await self.dedup.record(entry, article, found)
                for detection, assignment in zip(found, assignments, strict=True):
                    if assignment is not None:
                        await route_alerts(
                            self.store.outbox,
                            self.config.notify,
                            assignment.event,
                            replace(article, language=article.language or detection.language),
                            detection,
                            assignment.new_event,
                            feed.tags,
                            self.now(),
                        )
        placed = tuple(zip(found, assignments, strict=True))
        for detection, assignment in placed:
            self._log_placed(feed, article, detection, assignment)
        self.on_alerts()
        return Settled(analyses, placed)

    async def _analysed(self, article: Article) -> tuple[Analysis, ...]:
        if self._workers is None:  # replay: nothing else waits on the loop
            return analyse_all(self.rules, article)
        # A long page can take detection 0.1-0.2 s. In a thread the event loop keeps turning
        # meanwhile (the interpreter hands the lock over every few milliseconds): health
        # checks, other feeds' fetches and deliveries do not wait for it.
        return await asyncio.to_thread(analyse_all, self.rules, article)

    def _log_placed(
        self, feed: Feed, article: Article, detection: Detection, assignment: Assignment | None
    ) -> None:
        if assignment is None:
            log.info(
                "background mention, no event to join: %s",
                article.title,
                extra={"feed": feed.name, "entry": article.id, "stage": "dedup"},
            )
            return
        metrics.DETECTIONS.labels(event_type=detection.event_type).inc()
        if assignment.new_event:
            metrics.EVENTS.labels(event_type=detection.event_type).inc()
        log.info(
            "%s report: %s",
            "new event" if assignment.new_event else "further",
            article.title,
            extra={
                "feed": feed.name,
                "entry": article.id,
                "event": assignment.event.id,
                "language": detection.language,
            },
        )

    async def _article(
        self, feed: Feed, entry: Entry, budget: ArticleBudget, urgent: bool = False
    ) -> Article | None:
        """The entry with its page's text; None when this poll may fetch no more pages."""
        text = entry.summary
        title = entry.title
        if feed.full_text and entry.url:  # as _reads_page
            if not budget.take(asyncio.get_running_loop().time()):
                return None
            deadline = asyncio.timeout_at(budget.deadline)
            try:
                async with deadline:
                    page = await self.fetcher.fetch(
                        entry.url,
                        headers=feed.headers,
                        accept=PAGE_ACCEPT,
                        allow_networks=feed.allow_networks,
                    )
                    extracted = await self.workers.extract(page.body, page.url, urgent=urgent)
                text = extracted.text
                title = title or extracted.title or ""
            except TimeoutError:
                if not deadline.expired():
                    raise
                budget.abandoned()
                return None
            except (FetchError, ExtractError) as exc:
                log.warning(
                    "article page unusable, detecting on the feed summary: %s",
                    exc,
                    extra={"feed": feed.name, "entry": entry.key, "stage": "extract"},
                )
        return self._as_article(feed, entry, title, text)

    @staticmethod
    def _reads_page(feed: Feed, entry: Entry) -> bool:
        return bool(feed.full_text and entry.url)

    def _as_article(self, feed: Feed, entry: Entry, title: str, text: str) -> Article:
        return Article(
            id=f"{feed.name}:{entry.key}",
            outlet=feed.outlet,
            title=title,
            text=text,
            url=entry.url,
            # An item without a date was published, as far as anyone here can tell, when it
            # was first seen: its day is known that way, and grouping can use it.
            published=entry.published or self.now(),
            feed_tags=feed.tags,
            language=feed.language,
        )

    async def _succeeded(
        self,
        feed: Feed,
        before: FeedState | None,
        outcome: str,
        fetched: FetchResult,
        body_hash: str | None,
        new: int,
        *,
        ttl: float | None = None,
        all_new: bool = False,
        item_count: int | None = None,
        detections: int = 0,
        events: int = 0,
        keep_validators: bool = True,
        seen: Sequence[Entry] = (),
    ) -> PollResult:
        """Record a successful poll, and the entries it saw that need nothing more (`seen`),
        in one transaction."""
        now = self.now()
        hints = schedule.CacheHints.from_fetch(fetched, ttl=ttl)
        nxt = schedule.next_poll(
            now, feed.interval, self.config.polling, hints=hints, all_new=all_new
        )
        async with self.store.transaction():
            await self.dedup.remember_seen(seen)
            after = await self.store.feeds.record_success(
                feed.url,
                now=now,
                next_poll=nxt,
                outcome=outcome,
                name=feed.name,
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                body_hash=body_hash,
                item_count=item_count,
                new_items=new,
            )
            if not keep_validators:
                await self.store.feeds.forget_validators(feed.url)
        metrics.POLLS.labels(outcome=outcome).inc()
        await self._health(feed, before, after)
        return PollResult(feed.name, outcome, new, detections, events, next_poll=nxt)

    async def _failed(
        self, feed: Feed, before: FeedState | None, exc: FetchError | ParseError
    ) -> PollResult:
        now = self.now()
        kind = outcome_of(exc)
        streak = (before.error_streak if before else 0) + 1
        nxt = schedule.next_poll(
            now,
            feed.interval,
            self.config.polling,
            hints=schedule.CacheHints(retry_after=getattr(exc, "retry_after", None)),
            error_streak=streak,
        )
        after = await self.store.feeds.record_failure(
            feed.url, now=now, outcome=kind, error=str(exc), next_poll=nxt, name=feed.name
        )
        metrics.POLLS.labels(outcome=kind).inc()
        log.warning(
            "poll failed: %s (failure %d in a row); next try at %s",
            exc,
            streak,
            nxt.isoformat(timespec="seconds"),
            extra={"feed": feed.name, "url": feed.url, "stage": "fetch"},
        )
        await self._health(feed, before, after)
        return PollResult(feed.name, kind, error=str(exc), next_poll=nxt)

    @property
    def fetcher(self) -> Fetcher:
        assert self._fetcher is not None, "this pipeline does not fetch (replay)"
        return self._fetcher

    @property
    def workers(self) -> Workers:
        assert self._workers is not None, "this pipeline does not fetch (replay)"
        return self._workers

    async def _health(self, feed: Feed, before: FeedState | None, after: FeedState) -> None:
        """Tell the ops destinations once when a feed goes down, and once when it is back."""
        streak_before = before.error_streak if before else 0
        change = schedule.health_change(
            streak_before,
            after.error_streak,
            self.config.polling.failure_alert_after,
            alerted=after.health_alerted,
        )
        if change is None:
            return
        await self.store.feeds.set_health_alerted(feed.url, change == "failing")
        streak = max(streak_before, after.error_streak)
        await self.on_feed_health(feed, change, streak, after.last_error)
