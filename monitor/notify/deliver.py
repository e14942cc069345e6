"""The delivery worker: sends what the outbox owes, records each outcome, retries.

This is the one retry wrapper around the notifiers. For each due alert it

1. claims it, then marks it in flight (status "unknown") before calling the notifier,
2. sends it (a thread reply for a follow-up), records the remote reference at once,
3. for a follow-up, redraws the event's first message (an idempotent edit),
4. marks it sent; on failure asks `retry.Backoff` for the next try or marks it failed.

A crash anywhere leaves the alert "unknown" or "pending". Before sending an "unknown" alert
again the worker asks the notifier to `find` it, so a message that did arrive is recorded
instead of repeated. Each destination receives its alerts in order: while one backs off, the
later ones wait. Sends to one pace key (a Slack channel) are spaced by the notifier's `pace`.

Several replicas may deliver from one outbox; each has its own `holder` id. A worker claims the
alerts it is about to send (`OutboxStore.claim_due`) and sends one only while it still holds the
claim, renewing it for as long as a send or a lookup takes; what it claimed and did not get to
is released at the end of the round. An "unknown" alert of a replica that died is looked up by
another only once that replica's claim has run out, never while it may still be sending.

Retry settings are read from `cfg` each time, so a reload that replaces it applies at once.

An alert whose destination is not in the config (it was removed, or renamed) is never failed
for that: it waits, and goes out when the destination is back, or when a person reroutes or
drops it (`monitor alerts reroute|drop`). The worker says so once per destination. A store that
refuses writes is reported to `on_store_error` (the service's store health), not logged here.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from monitor import metrics
from monitor.config import DeliveryConfig
from monitor.errors import DeliveryError, FatalDelivery, RetryableDelivery, StoreError
from monitor.models import Alert
from monitor.notify.base import Notifier
from monitor.notify.retry import Backoff, classify_exception
from monitor.notify.tally import DeliveryTally
from monitor.store import urgent
from monitor.store.interface import OutboxStore
from monitor.store.outbox import OutboxRow, RemoteRef

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]
IDLE = 1.0  # seconds between looks at the outbox when nothing wakes the worker
CLAIM_LEASE = 60.0  # seconds a claim lasts unless renewed


class Deliverer:
    def __init__(
        self,
        outbox: OutboxStore,
        notifiers: Mapping[str, Notifier],
        cfg: DeliveryConfig,
        now: Clock,
        sleep: Sleep = asyncio.sleep,
        *,
        rng: random.Random | None = None,
        on_store_error: Callable[[StoreError], None] | None = None,
        holder: str = "local",
        claim_lease: float = CLAIM_LEASE,
    ) -> None:
        self.outbox = outbox
        self.notifiers = notifiers
        self.cfg = cfg
        self.now = now
        self.sleep = sleep
        self.holder = holder  # this replica's id in the outbox's claims
        self.claim_lease = claim_lease
        self._rng = rng or random.Random()
        self._last_send: dict[str, datetime] = {}
        self._wake = asyncio.Event()
        self._round = asyncio.Lock()  # one round at a time: its own claims are never in doubt
        self.on_store_error = on_store_error
        self._stranded: dict[str, int] = {}  # destinations not configured -> alerts waiting
        self.tally = DeliveryTally()  # sent, retrying, failed: for the pass summaries

    @property
    def backoff(self) -> Backoff:
        """The retry policy of the current settings: a reload replaces `cfg`."""
        return Backoff(self.cfg, self._rng)

    def wake(self) -> None:
        """Tell the worker new alerts are waiting (the pipeline calls it after a commit)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set. Never raises for a destination's failure."""
        while not stop.is_set():
            try:
                sent = await self.deliver_due()
            except StoreError as exc:
                if self.on_store_error is not None:
                    self.on_store_error(exc)  # logged once there; try again next round
                else:
                    log.error("delivery round failed: %s", exc, extra={"stage": "notify"})
                sent = 0
            except Exception:
                log.exception("delivery round failed", extra={"stage": "notify"})
                sent = 0
            if sent:
                continue
            self._wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            try:
                await asyncio.wait(waiters, timeout=IDLE, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for w in waiters:
                    w.cancel()

    async def deliver_due(self, limit: int = 100) -> int:
        """Recover interrupted sends, then claim and send every due alert. Returns how many
        were sent. Its statements go ahead of routine work in the store's queue."""
        with urgent():
            return await self._deliver_due(limit)

    async def _deliver_due(self, limit: int) -> int:
        async with self._round:
            await self._note_stranded()
            await self._recover()
            rows = await self.outbox.claim_due(
                self.holder,
                self.now(),
                limit,
                self.claim_lease,
                destinations=set(self.notifiers),
            )
            blocked: set[str] = set()
            sent = 0
            try:
                for row in rows:
                    alert = row.alert
                    if alert.destination in blocked:
                        continue
                    if await self._deliver(row):
                        sent += 1
                    elif await self.outbox.status(alert.id) != "failed":
                        blocked.add(alert.destination)  # keep the destination's order
            finally:
                await self._release([r.alert.id for r in rows])
            return sent

    async def recover(self) -> None:
        """Settle alerts whose send was interrupted: found at the destination, or re-queued.

        Takes this replica's own (left by its previous run) and those whose holder's claim
        ran out; an alert another live replica is sending is not touched."""
        async with self._round:
            await self._recover()

    async def _recover(self) -> None:
        rows = await self.outbox.claim_unknown(
            self.holder, self.now(), self.claim_lease, destinations=set(self.notifiers)
        )
        for row in rows:
            alert = row.alert
            notifier = self.notifiers.get(alert.destination)
            if notifier is None:
                continue  # its destination left the config during this round: it waits
            thread = await self._parent_ref(alert)
            try:
                async with self._holding(alert.id):
                    ref = row.remote_ref or await notifier.find(alert, thread)
            except Exception as exc:
                error = classify_exception(alert.destination, exc)
                delay = self.backoff.delay(1, getattr(error, "retry_after", None)) or 60.0
                await self.outbox.mark_retry(
                    alert.id,
                    self.now() + timedelta(seconds=delay),
                    error.reason,
                    status="unknown",
                    holder=self.holder,
                )
                log.warning(
                    "cannot look up an interrupted alert: %s",
                    error.reason,
                    extra={"stage": "notify", "alert": alert.id},
                )
                continue
            if ref is None:
                log.info(
                    "interrupted alert not found at its destination; sending it again",
                    extra={"stage": "notify", "alert": alert.id},
                )
                await self.outbox.mark_retry(
                    alert.id, self.now(), "interrupted; sending again", holder=self.holder
                )
                continue
            log.info("interrupted alert had arrived", extra={"stage": "notify", "alert": alert.id})
            await self.outbox.record_ref(alert.id, ref)
            await self.outbox.mark_retry(
                alert.id, self.now(), "interrupted after sending", holder=self.holder
            )
            # the next round only redraws the first message (for a follow-up) and records it

    async def _deliver(self, row: OutboxRow) -> bool:
        alert = row.alert
        notifier = self.notifiers.get(alert.destination)
        if notifier is None:
            return False  # not configured (any more): it waits, see _note_stranded
        parent = await self.outbox.get(alert.parent) if alert.parent else None
        if parent is not None and parent.alert.status not in ("sent", "failed", "dropped"):
            return False  # its first alert is still on its way
        thread = parent.remote_ref if parent else None
        if thread is not None and thread.destination != alert.destination:
            thread = None  # rerouted by hand: its first alert went elsewhere
        await self._pace(notifier)
        until = self.now() + timedelta(seconds=self.claim_lease)
        live = await self.outbox.mark_inflight(
            alert.id, self.now(), holder=self.holder, until=until
        )
        if live is None:
            log.info(
                "alert no longer ours to send (another replica took it over, or it was "
                "rerouted or dropped)",
                extra={"stage": "notify", "alert": alert.id},
            )
            return False
        alert = live.alert  # as it is now: a report folded in since the claim is in it
        ref = live.remote_ref
        try:
            async with self._holding(alert.id):
                if ref is None:
                    ref = await notifier.send(alert, thread)
                    await self.outbox.record_ref(alert.id, ref)
                    self._last_send[notifier.pace_key or notifier.name] = self.now()
                if alert.kind == "followup" and parent is not None and thread is not None:
                    await self._redraw(notifier, thread, parent.alert, alert)
        except StoreError:
            raise  # the send's outcome stays "unknown": looked up before any new try
        except Exception as exc:
            await self._failed(live, classify_exception(alert.destination, exc))
            return False
        await self.outbox.mark_sent(alert.id, ref, self.now())
        self.tally.count_sent(alert)
        metrics.ALERTS.labels(destination=alert.destination, result="sent").inc()
        if alert.kind == "new" and alert.published is not None:
            delay = (self.now() - alert.published).total_seconds()
            metrics.PUBLISH_TO_ALERT.observe(max(delay, 0.0))
        log.info(
            "alert sent",
            extra={
                "stage": "notify",
                "alert": alert.id,
                "event": alert.event_id,
                "destination": alert.destination,
            },
        )
        return True

    @asynccontextmanager
    async def _holding(self, alert_id: str) -> AsyncIterator[None]:
        """Keep the claim on `alert_id` for as long as the block runs, so that a slow send or
        lookup is never taken for a dead replica's."""
        renewer = asyncio.create_task(self._renew(alert_id), name=f"claim {alert_id}")
        try:
            yield
        finally:
            renewer.cancel()
            await asyncio.wait([renewer])

    async def _renew(self, alert_id: str) -> None:
        while True:
            await asyncio.sleep(self.claim_lease / 3)
            until = self.now() + timedelta(seconds=self.claim_lease)
            try:
                if not await self.outbox.renew(alert_id, self.holder, until):
                    return
            except StoreError as exc:  # the claim runs out unless the store comes back
                log.debug("cannot renew the claim: %s", exc, extra={"alert": alert_id})

    async def _release(self, ids: Sequence[str]) -> None:
        """Let other replicas have what this round claimed and did not settle."""
        try:
            await self.outbox.release(self.holder, ids)
        except StoreError as exc:  # they expire on their own
            log.debug("cannot release claims: %s", exc, extra={"stage": "notify"})

    async def _redraw(
        self, notifier: Notifier, first: RemoteRef, parent: Alert, alert: Alert
    ) -> None:
        try:
            await notifier.update(first, parent, alert)
        except FatalDelivery as exc:  # the reply is delivered; a lost edit is not worth failing
            log.warning(
                "could not update the first message: %s",
                exc.reason,
                extra={"stage": "notify", "alert": alert.id},
            )

    async def _failed(self, row: OutboxRow, exc: DeliveryError) -> None:
        alert = row.alert
        attempts = alert.attempts  # counted when it went in flight
        extra = {"stage": "notify", "alert": alert.id, "destination": alert.destination}
        if isinstance(exc, RetryableDelivery):
            delay = self.backoff.delay(attempts, exc.retry_after)
            if delay is not None:
                await self.outbox.mark_retry(
                    alert.id,
                    self.now() + timedelta(seconds=delay),
                    exc.reason,
                    holder=self.holder,
                )
                self.tally.count_retry(alert, exc.reason)
                metrics.ALERTS.labels(destination=alert.destination, result="retried").inc()
                log.warning(
                    "delivery failed, retrying in %.0fs: %s", delay, exc.reason, extra=extra
                )
                return
            reason = f"gave up after {attempts} attempts: {exc.reason}"
        else:
            reason = exc.reason
        await self.outbox.mark_failed(alert.id, reason, holder=self.holder)
        self.tally.count_failed(alert, reason)
        metrics.ALERTS.labels(destination=alert.destination, result="failed").inc()
        log.error("delivery failed: %s", reason, extra=extra)

    async def _pace(self, notifier: Notifier) -> None:
        last = self._last_send.get(notifier.pace_key or notifier.name)
        if last is None or notifier.pace <= 0:
            return
        wait = notifier.pace - (self.now() - last).total_seconds()
        if wait > 0:
            await self.sleep(wait)

    async def _parent_ref(self, alert: Alert) -> RemoteRef | None:
        ref = await self.outbox.remote_ref(alert.parent) if alert.parent else None
        return ref if ref is not None and ref.destination == alert.destination else None

    async def _note_stranded(self) -> None:
        """Say once when alerts start waiting for a destination that is not configured, and
        once when they stop (the destination is back, or they were rerouted or dropped)."""
        owed = await self.outbox.waiting_by_destination()
        stranded = {d: n for d, n in owed.items() if d not in self.notifiers}
        for name, count in stranded.items():
            if name not in self._stranded:
                log.warning(
                    "%d alert%s for destination %r, which is not in the config: %s",
                    count,
                    "s wait" if count != 1 else " waits",
                    name,
                    waiting_hint(name),
                    extra={"stage": "notify", "destination": name},
                )
        for name in self._stranded.keys() - stranded.keys():
            back = name in self.notifiers
            log.info(
                "destination %r is %s",
                name,
                "back in the config; sending what it is owed"
                if back
                else "owed nothing any more (its alerts were rerouted or dropped)",
                extra={"stage": "notify", "destination": name},
            )
        self._stranded = stranded


def waiting_hint(destination: str) -> str:
    """What a person can do about alerts waiting for a destination that is not configured."""
    return (
        f"add {destination} back under notify.destinations, or move its alerts with "
        f"`monitor alerts reroute --destination {destination} --to NAME`, or give them up with "
        "`monitor alerts drop ID`"
    )
