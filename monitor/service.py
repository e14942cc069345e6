"""The running service: builds every part from the config, schedules one poll job per feed,
runs the delivery worker beside it, and shuts down cleanly.

Used by `monitor run` (forever), `monitor once` (one pass) and `monitor demo`.

Replicas: any number of services may share one PostgreSQL store. Each registers itself and
beats every third of `store.lease`; before a poll it takes the feed's lease (monitor.store.
feeds), so each feed is polled by one replica per interval, and a replica that dies lets its
feeds go when their leases expire. Grouping and the outbox serialise their own decisions in the
database. A SQLite store serves one service: a second one on the same file is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor import metrics
from monitor.config import Config
from monitor.dedup import Deduplicator
from monitor.detect import RuleSet, load_rules
from monitor.errors import StoreError
from monitor.fetch import Fetcher, make_client
from monitor.looplag import LoopLag
from monitor.models import Feed
from monitor.notify import build_notifiers
from monitor.notify.deliver import Deliverer
from monitor.notify.ops import plan_feed_health
from monitor.pipeline import Pipeline, PollResult
from monitor.preflight import keep_waiting_destinations
from monitor.store import Store
from monitor.store.feeds import FeedState
from monitor.store.health import StoreHealth
from monitor.store.instance import InstanceLock
from monitor.store.marker import open_checked
from monitor.workers import Workers

log = logging.getLogger(__name__)

SHUTDOWN_GRACE = 7.0  # seconds for in-flight work after a stop signal
RESTART_SETTINGS = ("store.url", "http.listen")  # what a reload cannot apply


def utcnow() -> datetime:
    return datetime.now(UTC)


def load_rule_sets(config: Config) -> list[RuleSet]:
    paths = config.rule_paths()
    return [load_rules(p) for p in paths] if paths else [load_rules(None)]


def replica_name() -> str:
    """This process's name among the replicas: host, pid and a random tag (pids repeat in
    containers)."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(2)}"


@dataclass
class Parts:
    """Everything built from one config that a reload replaces as a whole, between polls."""

    config: Config
    pipeline: Pipeline
    deliverer: Deliverer
    client: httpx.AsyncClient


@dataclass
class Service:
    """Everything `monitor run` needs, built from one config. Parts are passed in for tests."""

    config: Config
    now: Callable[[], datetime] = utcnow
    store: Store | None = None
    new_store: bool = False  # accept an empty store where the marker knows one (--new-store)
    on_poll: Callable[[PollResult], None] | None = None  # each scheduled poll's result
    replica: str = field(default_factory=replica_name)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _scheduler: AsyncIOScheduler | None = None
    _parts: Parts | None = None
    _inflight: set[asyncio.Task[Any]] = field(default_factory=set)
    _instance: InstanceLock | None = None
    _gauges: dict[str, float] = field(default_factory=dict)
    _delivery: asyncio.Task[None] | None = None
    _delivery_stop: asyncio.Event | None = None
    _retired: list[httpx.AsyncClient] = field(default_factory=list)
    _joined: bool = False  # other replicas were running when this one started
    _polled: set[str] = field(default_factory=set)  # feeds this replica has scheduled once
    _started: datetime | None = None  # when run() began
    _feeds_of: tuple[Config, dict[str, Feed]] | None = None

    async def build(self) -> None:
        """Check everything that can be checked before the first poll: secrets, rules, store."""
        if self.store is None:
            self._instance = InstanceLock.for_url(self.config.store.url)
            self._instance.acquire()  # refuses a second service on one SQLite file
            try:
                self.store = await open_checked(self.config, new_store=self.new_store)
            except BaseException:
                self._instance.release()
                raise
        self.store_health = StoreHealth(
            self.store, interval=self.config.store.check_interval, now=self.now
        )
        self._workers = Workers()  # parse and extract processes, started on first use
        self._parts = self._assemble(self.config)
        metrics.track(
            outbox_depth=lambda: self._gauges.get("outbox_pending", 0.0),
            feeds_in_error=lambda: self._gauges.get("feeds_in_error", 0.0),
        )
        await self.refresh_gauges()
        # What start-up made (rules, gazetteers, libraries) lives as long as the process; left
        # in the collected generations, every full collection walks it, holding the loop for
        # tens of milliseconds.
        gc.collect()
        gc.freeze()

    def _assemble(self, config: Config) -> Parts:
        """Build the pipeline, fetcher, deduplicator and deliverer from one config."""
        assert self.store is not None
        notifiers = build_notifiers(config.notify, config.web.public_url)
        rules = load_rule_sets(config)
        client = make_client(config.polling)
        fetcher = Fetcher(client, config.polling)
        dedup = Deduplicator(self.store, config.events, self.now)
        deliverer = Deliverer(
            self.store.outbox,
            notifiers,
            config.notify.delivery,
            self.now,
            asyncio.sleep,
            on_store_error=self.store_health.failed,
            holder=self.replica,
            claim_lease=config.store.lease,
        )
        pipeline = Pipeline(
            config=config,
            store=self.store,
            fetcher=fetcher,
            workers=self._workers,
            rules=rules,
            dedup=dedup,
            now=self.now,
            on_alerts=deliverer.wake,
            on_feed_health=self._feed_health,
        )
        return Parts(config, pipeline, deliverer, client)

    async def _expire(self) -> None:
        try:
            removed = await self.pipeline.dedup.expire()
            await self.store_or_fail.replicas.forget_gone(self.now(), 10 * self.config.store.lease)
        except StoreError as exc:
            self.store_health.failed(exc)  # logged once there
            return
        if removed:
            log.info(
                "forgot %d items and events past the horizon", removed, extra={"stage": "dedup"}
            )

    async def refresh_gauges(self) -> None:
        """Read the gauges /metrics shows from the store (scrapes never wait on it)."""
        store = self.store
        if store is None or store.closed:
            return
        try:
            counts = await store.outbox.counts()
            in_error = await store.feeds.count_in_error()
        except StoreError:
            return  # the store's health check reports it
        self._gauges["outbox_pending"] = float(counts.get("pending", 0))
        self._gauges["outbox_owed"] = float(counts.get("pending", 0) + counts.get("unknown", 0))
        self._gauges["feeds_in_error"] = float(in_error)

    @property
    def outbox_owed(self) -> int | None:
        """Alerts the outbox still owes (pending or in flight) at the last look."""
        owed = self._gauges.get("outbox_owed")
        return None if owed is None else int(owed)

    async def _feed_health(self, feed: Feed, change: str, streak: int, error: str | None) -> None:
        log.log(
            logging.ERROR if change == "failing" else logging.INFO,
            "feed %s after %d failed polls",
            "is down" if change == "failing" else "recovered",
            streak,
            extra={"feed": feed.name, "url": feed.url, "stage": "health"},
        )
        if await plan_feed_health(
            self.store_or_fail.outbox, self.config.notify, feed, change, streak, error, self.now()
        ):
            self.deliverer.wake()

    @property
    def store_or_fail(self) -> Store:
        assert self.store is not None, "build() first"
        return self.store

    @property
    def pipeline(self) -> Pipeline:
        assert self._parts is not None, "build() first"
        return self._parts.pipeline

    @property
    def deliverer(self) -> Deliverer:
        assert self._parts is not None, "build() first"
        return self._parts.deliverer

    def feeds(self) -> list[Feed]:
        return list(self._feed_map().values())

    def _feed_map(self) -> dict[str, Feed]:
        """The enabled feeds by name, made once per config (every poll looks its feed up)."""
        made = self._feeds_of
        if made is None or made[0] is not self.config:
            made = (self.config, {f.name: f for f in self.config.feed_objects() if f.enabled})
            self._feeds_of = made
        return made[1]

    async def _lease(
        self, feed: Feed, *, due_only: bool, polled_before: datetime | None = None
    ) -> FeedState | None:
        """The feed's state with its lease taken for this replica; None when another replica
        polls it, (due_only) polled it within its interval, or polled it since `polled_before`."""
        return await self.store_or_fail.feeds.take_lease(
            feed.url,
            feed.name,
            self.replica,
            self.now(),
            self.config.store.lease,
            due_only=due_only,
            polled_before=polled_before,
        )

    async def poll(
        self, feed: Feed, *, due_only: bool = True, polled_before: datetime | None = None
    ) -> PollResult | None:
        """One scheduled poll. A poll cut short by shutdown leaves nothing half-written (its
        transaction rolls back) and its entries are processed again on the next start. None
        when the poll did not happen: another replica has the feed (or, with `polled_before`,
        polled it since then), or the store failed."""
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        pipeline = self.pipeline  # a reload between polls swaps it; this poll keeps its own
        try:
            state = await self._lease(feed, due_only=due_only, polled_before=polled_before)
            if state is None:
                return None
            result = await pipeline.poll(feed, state)
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
        return result

    async def _fire(self, feed: Feed) -> None:
        """The scheduler's job: start the feed's poll as a task of the service's own, which
        shutdown gives its grace period (the scheduler would cancel its jobs at once)."""
        task = asyncio.create_task(self._poll_job(feed), name=f"poll {feed.name}")
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def _poll_job(self, feed: Feed) -> None:
        """The scheduled poll of one feed, which schedules the next: when the feed says (its
        next poll), or, when another replica has it, when that one's poll is due or its lease
        runs out. A feed's polls never overlap, however long one takes."""
        when: datetime | None = None
        # A service starting alone polls every feed at once, as a restart always has; one
        # joining running replicas follows the schedule they keep.
        due_only = self._joined or feed.name in self._polled
        self._polled.add(feed.name)
        # At once, but not a feed another replica (started beside this one) polled since.
        since = None if due_only else self._started
        try:
            result = await self.poll(feed, due_only=due_only, polled_before=since)
            when = result.next_poll if result is not None else await self._next_look(feed)
        except asyncio.CancelledError:  # shutdown: the next start polls it
            return
        except StoreError as exc:
            self.store_health.failed(exc)
        except Exception:  # one feed's surprise must not end its polling
            log.exception("poll failed", extra={"feed": feed.name, "stage": "poll"})
        finally:
            if not self._stop.is_set():
                self._schedule(feed, when or self.now() + timedelta(seconds=feed.interval))

    async def _next_look(self, feed: Feed) -> datetime | None:
        """When to look at a feed another replica polled, or polls now."""
        state = await self.store_or_fail.feeds.get(feed.url)
        if state is None or state.next_poll is None:
            return None
        wake = state.next_poll
        if state.lease_until is not None and state.lease_until > wake:
            wake = state.lease_until
        return max(wake, self.now() + timedelta(seconds=1))

    def _schedule(self, feed: Feed, when: datetime) -> None:
        """Poll `feed` at `when`, unless a reload removed or changed it meanwhile (a changed
        feed has its own job already)."""
        if self._scheduler is None or self._feed_map().get(feed.name) != feed:
            return
        self._scheduler.add_job(
            self._fire,
            "date",
            run_date=when,
            args=[feed],
            id=feed.name,
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def once(self, progress: Callable[[PollResult], None] | None = None) -> list[PollResult]:
        """Poll every enabled feed once, deliver what that produced, and return the results.
        Feeds another running replica is polling right now are left to it."""

        started = self.now()

        async def poll(feed: Feed) -> PollResult | None:
            result = await self.poll(feed, due_only=False, polled_before=started)
            if result is not None and progress is not None:
                progress(result)
            return result

        await self.store_or_fail.replicas.beat(self.replica, *self._whoami(), self.now())
        try:
            results = await asyncio.gather(*(poll(f) for f in self.feeds()))
            await self.deliverer.deliver_due()
        finally:
            await self.store_or_fail.replicas.leave(self.replica)
        await self.refresh_gauges()
        return [r for r in results if r is not None]

    def _whoami(self) -> tuple[str, int]:
        return socket.gethostname(), os.getpid()

    async def run(self) -> None:
        """Poll on schedule and deliver until stop() is called."""
        self._workers.start()  # so the first polls do not wait for processes to start
        self._started = self.now()
        store = self.store_or_fail
        await store.replicas.beat(self.replica, *self._whoami(), self.now())
        running = await store.replicas.alive(self.now(), self.config.store.lease)
        self._joined = any(r.id != self.replica for r in running)
        scheduler = AsyncIOScheduler(timezone=UTC)
        self._scheduler = scheduler
        for feed in self.feeds():
            self._schedule(feed, self.now())
        scheduler.add_job(self._expire, "interval", hours=1, id="expire", next_run_time=self.now())
        scheduler.start()
        metrics.SCHEDULER_RUNNING.set(1)
        log.info(
            "watching %d feeds as replica %s",
            len(self.feeds()),
            self.replica,
            extra={"stage": "service"},
        )
        self._start_delivery()
        watch = asyncio.create_task(self.store_health.watch(self._stop), name="store-health")
        beat = asyncio.create_task(self._beat(), name="heartbeat")
        lag = LoopLag(period=0.1, observe=metrics.LOOP_LAG.observe).start()
        try:
            await self._stop.wait()
        finally:
            await lag.stop()
            # No new polls; the ones the scheduler just started get their grace period too
            # (its shutdown would cancel them at once).
            scheduler.pause()
            for _ in range(3):
                await asyncio.sleep(0)
            scheduler.shutdown(wait=False)
            metrics.SCHEDULER_RUNNING.set(0)
            if self._delivery_stop is not None:
                self._delivery_stop.set()
            workers = [t for t in (self._delivery, watch, beat) if t is not None]
            await self._finish(*workers)
            with contextlib.suppress(StoreError):  # else its leases expire by themselves
                await store.replicas.leave(self.replica)

    def _start_delivery(self) -> None:
        """Run the current deliverer until the service stops or a reload replaces it."""
        stop = asyncio.Event()
        self._delivery_stop = stop

        async def deliver() -> None:
            relay = asyncio.create_task(self._relay_stop(stop))
            try:
                await self.deliverer.run(stop)
            finally:
                relay.cancel()

        self._delivery = asyncio.create_task(deliver(), name="delivery")

    async def _relay_stop(self, stop: asyncio.Event) -> None:
        await self._stop.wait()
        stop.set()

    async def _beat(self) -> None:
        """Say this replica is alive, keep the leases of polls in progress, refresh gauges."""
        store = self.store_or_fail
        every = self.config.store.lease / 3
        while not self._stop.is_set():
            try:
                await store.replicas.beat(self.replica, *self._whoami(), self.now())
                await store.feeds.renew_leases(self.replica, self.now(), self.config.store.lease)
                await self.refresh_gauges()
            except StoreError as exc:
                self.store_health.failed(exc)
            except Exception:  # the heartbeat must outlive any one surprise
                log.exception("heartbeat failed", extra={"stage": "service"})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=every)

    async def _finish(self, *workers: asyncio.Task[None]) -> None:
        """Let in-flight polls and deliveries end by themselves for a few seconds (the whole
        shutdown stays within 10 s of SIGTERM), then cut them short."""
        pending = {*workers, *self._inflight}
        _, late = await asyncio.wait(pending, timeout=SHUTDOWN_GRACE)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late, timeout=1)

    async def reconfigure(self, new: Config) -> None:
        """Apply a changed config without a restart and without losing state.

        Everything is built from the new config first (rules, secrets, a destination that still
        owes alerts are checked then), so a bad new config raises and leaves the running one
        untouched; then the pipeline, fetcher, deduplicator and deliverer are swapped as one,
        between polls. Polls in flight finish with the parts they started with.
        """
        store = self.store_or_fail
        keep_waiting_destinations(self.config, new, await store.outbox.waiting_by_destination())
        changed = [s for s in RESTART_SETTINGS if _setting(self.config, s) != _setting(new, s)]
        if changed:
            log.warning(
                "%s changed; that takes a restart, the running service keeps the old settings",
                ", ".join(changed),
                extra={"stage": "reload"},
            )
        parts = self._assemble(new)
        old_feeds = {f.name: f for f in self.feeds()}
        old, self._parts, self.config = self._parts, parts, new
        if self._delivery is not None and self._delivery_stop is not None:
            self._delivery_stop.set()  # the old deliverer ends its current send, then stops
            self._start_delivery()
        if old is not None:
            self._retired.append(old.client)
        if self._scheduler is None:
            return
        new_feeds = {f.name: f for f in self.feeds()}
        for name in old_feeds.keys() - new_feeds.keys():
            if self._scheduler.get_job(name) is not None:
                self._scheduler.remove_job(name)
        for name, feed in new_feeds.items():
            if old_feeds.get(name) != feed:
                self._schedule(feed, self.now())
        log.info("config reloaded: %d feeds", len(new_feeds), extra={"stage": "reload"})

    def stop(self) -> None:
        self._stop.set()

    @property
    def running(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    async def close(self) -> None:
        if getattr(self, "_workers", None) is not None:
            await self._workers.close()
        clients = [*self._retired, *([self._parts.client] if self._parts else [])]
        for client in clients:
            await client.aclose()
        if self.store is not None:
            await self.store.close()
        if self._instance is not None:
            self._instance.release()


def _setting(config: Config, dotted: str) -> object:
    section, name = dotted.split(".")
    return getattr(getattr(config, section), name)
