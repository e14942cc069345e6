"""The running service: builds every part from the config, schedules one poll job per feed,
runs the delivery worker beside it, and shuts down cleanly.

Used by `monitor run` (forever), `monitor once` (one pass) and `monitor demo`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor import metrics
from monitor.config import Config
from monitor.dedup import Deduplicator
from monitor.detect import RuleSet, load_rules
from monitor.errors import StoreError
from monitor.fetch import Fetcher, make_client
from monitor.models import Feed
from monitor.notify import build_notifiers
from monitor.notify.deliver import Deliverer
from monitor.notify.ops import plan_feed_health
from monitor.pipeline import Pipeline, PollResult
from monitor.preflight import keep_waiting_destinations
from monitor.store import Store
from monitor.store.health import StoreHealth
from monitor.store.marker import open_checked
from monitor.workers import Workers

log = logging.getLogger(__name__)

SHUTDOWN_GRACE = 7.0  # seconds for in-flight work after a stop signal


def utcnow() -> datetime:
    return datetime.now(UTC)


def load_rule_sets(config: Config) -> list[RuleSet]:
    paths = config.rule_paths()
    return [load_rules(p) for p in paths] if paths else [load_rules(None)]


@dataclass
class Service:
    """Everything `monitor run` needs, built from one config. Parts are passed in for tests."""

    config: Config
    now: Callable[[], datetime] = utcnow
    store: Store | None = None
    new_store: bool = False  # accept an empty store where the marker knows one (--new-store)
    on_poll: Callable[[PollResult], None] | None = None  # each scheduled poll's result
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _scheduler: AsyncIOScheduler | None = None
    _pipeline: Pipeline | None = None
    _deliverer: Deliverer | None = None
    _inflight: set[asyncio.Task[object]] = field(default_factory=set)

    def build(self) -> None:
        """Check everything that can be checked before the first poll: secrets, rules, store."""
        notifiers = build_notifiers(self.config.notify)
        rules = load_rule_sets(self.config)
        if self.store is None:
            self.store = open_checked(self.config, new_store=self.new_store)
        self.store_health = StoreHealth(
            self.store, interval=self.config.store.check_interval, now=self.now
        )
        self._client = make_client(self.config.polling)
        fetcher = Fetcher(self._client, self.config.polling)
        dedup = Deduplicator(self.store.items, self.store.events, self.config.events, self.now)
        self._dedup = dedup
        self._deliverer = Deliverer(
            self.store.outbox,
            notifiers,
            self.config.notify.delivery,
            self.now,
            asyncio.sleep,
            on_store_error=self.store_health.failed,
        )
        self._workers = Workers()  # parse and extract processes, started on first use
        self._pipeline = Pipeline(
            config=self.config,
            store=self.store,
            fetcher=fetcher,
            workers=self._workers,
            rules=rules,
            dedup=dedup,
            now=self.now,
            on_alerts=self._deliverer.wake,
            on_feed_health=self._feed_health,
        )
        metrics.track(
            outbox_depth=lambda: float(self._outbox_pending()),
            feeds_in_error=lambda: float(self._feeds_in_error()),
        )

    def _expire(self) -> None:
        try:
            removed = self._dedup.expire()
        except StoreError as exc:
            self.store_health.failed(exc)  # logged once there
            return
        if removed:
            log.info(
                "forgot %d items and events past the horizon", removed, extra={"stage": "dedup"}
            )

    def _outbox_pending(self) -> int:
        if self.store is None or self.store.closed:  # scraped after close(): nothing to read
            return 0
        return self.store.outbox.counts().get("pending", 0)

    def _feeds_in_error(self) -> int:
        if self.store is None or self.store.closed:
            return 0
        return self.store.feeds.count_in_error()

    def _feed_health(self, feed: Feed, change: str, streak: int, error: str | None) -> None:
        log.log(
            logging.ERROR if change == "failing" else logging.INFO,
            "feed %s after %d failed polls",
            "is down" if change == "failing" else "recovered",
            streak,
            extra={"feed": feed.name, "url": feed.url, "stage": "health"},
        )
        assert self.store is not None
        if plan_feed_health(
            self.store.outbox, self.config.notify, feed, change, streak, error, self.now()
        ):
            self.deliverer.wake()

    @property
    def pipeline(self) -> Pipeline:
        assert self._pipeline is not None, "build() first"
        return self._pipeline

    @property
    def deliverer(self) -> Deliverer:
        assert self._deliverer is not None, "build() first"
        return self._deliverer

    def feeds(self) -> list[Feed]:
        return [f for f in self.config.feed_objects() if f.enabled]

    async def poll(self, feed: Feed) -> PollResult | None:
        """One scheduled poll. A poll cut short by shutdown leaves nothing half-written (its
        transaction rolls back) and its entries are processed again on the next start."""
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            result = await self.pipeline.poll(feed)
        except asyncio.CancelledError:
            log.info("poll interrupted by shutdown", extra={"feed": feed.name, "stage": "poll"})
            return None
        except StoreError as exc:  # nothing was recorded: its entries are new again next time
            self.store_health.failed(exc)  # logged once there, and /readyz says why
            return None
        finally:
            if task is not None:
                self._inflight.discard(task)
        if self.on_poll is not None:
            self.on_poll(result)
        if self._scheduler is not None and result.next_poll is not None:
            job = self._scheduler.get_job(feed.name)
            if job is not None:
                job.modify(next_run_time=result.next_poll)
        return result

    async def once(self, progress: Callable[[PollResult], None] | None = None) -> list[PollResult]:
        """Poll every enabled feed once, deliver what that produced, and return the results."""

        async def poll(feed: Feed) -> PollResult:
            result = await self.pipeline.poll(feed)
            if progress is not None:
                progress(result)
            return result

        results = await asyncio.gather(*(poll(f) for f in self.feeds()))
        await self.deliverer.deliver_due()
        return list(results)

    async def run(self) -> None:
        """Poll on schedule and deliver until stop() is called."""
        self._workers.start()  # so the first polls do not wait for processes to start
        scheduler = AsyncIOScheduler(timezone=UTC)
        self._scheduler = scheduler
        for feed in self.feeds():
            self._add_job(scheduler, feed)
        scheduler.add_job(self._expire, "interval", hours=1, id="expire", next_run_time=self.now())
        scheduler.start()
        metrics.SCHEDULER_RUNNING.set(1)
        log.info("watching %d feeds", len(self.feeds()), extra={"stage": "service"})
        delivery = asyncio.create_task(self.deliverer.run(self._stop), name="delivery")
        watch = asyncio.create_task(self.store_health.watch(self._stop), name="store-health")
        try:
            await self._stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            metrics.SCHEDULER_RUNNING.set(0)
            await self._finish(delivery, watch)

    async def _finish(self, *workers: asyncio.Task[None]) -> None:
        """Let in-flight polls and deliveries end by themselves for a few seconds (the whole
        shutdown stays within 10 s of SIGTERM), then cut them short."""
        pending = {*workers, *self._inflight}
        _, late = await asyncio.wait(pending, timeout=SHUTDOWN_GRACE)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late, timeout=1)

    def reconfigure(self, new: Config) -> None:
        """Apply a changed config without a restart and without losing state.

        Everything that can fail (rules, secrets, a destination that still owes alerts) is
        checked before anything is swapped, so a bad new config raises and leaves the running
        one untouched.
        """
        assert self.store is not None
        keep_waiting_destinations(self.config, new, self.store.outbox.waiting_by_destination())
        if new.store.url != self.config.store.url:
            log.warning(
                "store.url changed; that takes a restart, the running service keeps the old one",
                extra={"stage": "reload"},
            )
        rules = load_rule_sets(new)
        notifiers = build_notifiers(new.notify)
        old_feeds = {f.name: f for f in self.feeds()}
        self.config = new
        self.pipeline.config = new
        self.pipeline.rules = rules
        self.deliverer.notifiers = notifiers
        self.deliverer.cfg = new.notify.delivery
        if self._scheduler is None:
            return
        new_feeds = {f.name: f for f in self.feeds()}
        for name in old_feeds.keys() - new_feeds.keys():
            self._scheduler.remove_job(name)
        for name, feed in new_feeds.items():
            if name not in old_feeds:
                self._add_job(self._scheduler, feed)
            elif old_feeds[name] != feed:
                self._scheduler.remove_job(name)
                self._add_job(self._scheduler, feed)
        log.info("config reloaded: %d feeds", len(new_feeds), extra={"stage": "reload"})

    def _add_job(self, scheduler: AsyncIOScheduler, feed: Feed) -> None:
        scheduler.add_job(
            self.poll,
            "interval",
            args=[feed],
            seconds=feed.interval,
            id=feed.name,
            next_run_time=self.now(),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )

    def stop(self) -> None:
        self._stop.set()

    @property
    def running(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    async def close(self) -> None:
        if getattr(self, "_workers", None) is not None:
            await self._workers.close()
        if getattr(self, "_client", None) is not None:
            await self._client.aclose()
        if self.store is not None:
            self.store.close()
