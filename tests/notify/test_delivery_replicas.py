"""Several replicas delivering from one outbox: every alert is sent exactly once, each destination
gets its alerts in order, a slow send keeps its claim, and what a dead replica held is taken
over once its claim has run out (looked up first when its send had started)."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pytest

from monitor.config import DeliveryConfig, NotifyConfig
from monitor.models import Alert
from monitor.notify.base import Notifier
from monitor.notify.deliver import Deliverer
from monitor.notify.route import route_alerts
from monitor.store import Store, open_store
from monitor.store.outbox import OutboxRepo, RemoteRef
from tests.notify.conftest import Clock, make_alert, make_article, make_detection, make_event

LEASE = 30.0


@dataclass
class Record:
    """What arrived at the destinations, in order, and what was looked up there."""

    sent: list[tuple[str, str]] = field(default_factory=list)  # (destination, alert id)
    lookups: list[str] = field(default_factory=list)


class Recording:
    """A destination that keeps what it receives; a send takes `delay` seconds to arrive."""

    pace = 0.0
    pace_key: str | None = None

    def __init__(self, name: str, record: Record, delay: float = 0.0) -> None:
        self.name = name
        self.record = record
        self.delay = delay

    async def send(self, alert: Alert, thread: RemoteRef | None) -> RemoteRef:
        await asyncio.sleep(self.delay)
        self.record.sent.append((self.name, alert.id))
        return RemoteRef(self.name, alert.id)

    async def update(self, first: RemoteRef, parent: Alert, latest: Alert) -> None:
        return None

    async def find(self, alert: Alert, thread: RemoteRef | None) -> RemoteRef | None:
        self.record.lookups.append(alert.id)
        arrived = (self.name, alert.id) in self.record.sent
        return RemoteRef(self.name, alert.id) if arrived else None

    async def aclose(self) -> None:
        return None


def _notifiers(record: Record, names: list[str], delay: float = 0.0) -> dict[str, Notifier]:
    return {name: Recording(name, record, delay) for name in names}


def _alert(n: int, destination: str) -> Alert:
    return make_alert(f"a{n:024d}", destination=destination, headline=f"report {n}")


def _sent_ids(record: Record) -> list[str]:
    return [alert_id for _, alert_id in record.sent]


@pytest.fixture
def pg_url(store_url: str) -> str:
    if not store_url.startswith("postgresql"):
        pytest.skip("replicas share a PostgreSQL store")
    return store_url


async def test_two_replicas_draining_one_outbox_send_every_alert_exactly_once(
    pg_url: str,
) -> None:
    stores = [await open_store(pg_url), await open_store(pg_url)]
    record = Record()
    names = [f"desk-{d}" for d in range(4)]
    try:
        expected: list[Alert] = []
        for n in range(80):
            alert = _alert(n, names[n % 4] if n % 2 else names[n // 20])
            await stores[0].outbox.enqueue(alert, datetime.now(UTC))
            expected.append(alert)
        workers = [
            Deliverer(
                store.outbox,
                _notifiers(record, names, delay=0.002),
                DeliveryConfig(),
                lambda: datetime.now(UTC),
                holder=f"replica-{i}",
            )
            for i, store in enumerate(stores)
        ]
        by_worker: Counter[str] = Counter()

        async def drain(worker: Deliverer) -> None:
            for _ in range(2000):
                by_worker[worker.holder] += await worker.deliver_due(limit=7)
                counts = await worker.outbox.counts()
                if counts["pending"] == counts["unknown"] == 0:
                    return
                await asyncio.sleep(0.001)
            raise AssertionError("the outbox was not drained")

        await asyncio.gather(*(drain(w) for w in workers))
        counts = Counter(_sent_ids(record))
        assert {k: v for k, v in counts.items() if v != 1} == {}  # nothing twice
        assert set(counts) == {a.id for a in expected}  # nothing lost
        assert all(by_worker[w.holder] > 0 for w in workers), by_worker  # both delivered
        assert sum(by_worker.values()) == len(expected)
        for name in names:  # each destination in the order the alerts were queued
            arrived = [i for d, i in record.sent if d == name]
            assert arrived == [a.id for a in expected if a.destination == name]
        assert await stores[1].outbox.counts() == {
            "pending": 0,
            "unknown": 0,
            "sent": len(expected),
            "failed": 0,
        }
    finally:
        for store in stores:
            await store.close()


async def test_flood_control_counts_one_window_across_replicas(pg_url: str) -> None:
    cfg = NotifyConfig.model_validate(
        {
            "destinations": {"slack": {"type": "slack", "channel": "C0ALERTS"}},
            "routes": [{"to": ["slack"], "max_alerts": 1, "per": "1h"}],
        }
    )
    stores = [await open_store(pg_url), await open_store(pg_url)]
    now = datetime.now(UTC)

    async def report(store: Store, n: int) -> list[Alert]:
        async with store.transaction():
            event = replace(make_event(), id=f"ev-{n}")
            article = make_article(title=f"story {n}", n=n)
            planned = await route_alerts(
                store.outbox, cfg, event, article, make_detection(), True, (), now
            )
            await asyncio.sleep(0.3)  # still deciding: the other replica routes meanwhile
        return planned

    try:
        a, b = await asyncio.gather(report(stores[0], 1), report(stores[1], 2))
        kinds = sorted(x.event.event_type for x in [*a, *b])
        assert kinds == ["flood_summary", "missile_launch"]  # the window had room for one
    finally:
        for store in stores:
            await store.close()


async def test_a_dead_replicas_claim_is_taken_over_once_it_expires(
    outbox: OutboxRepo, clock: Clock
) -> None:
    alerts = [_alert(n, "desk") for n in range(3)]
    for alert in alerts:
        await outbox.enqueue(alert, clock.now())
    claimed = await outbox.claim_due("dead", clock.now(), lease=LEASE)
    assert len(claimed) == 3  # and then the replica died
    record = Record()
    alive = Deliverer(
        outbox,
        _notifiers(record, ["desk"]),
        DeliveryConfig(),
        clock.now,
        clock.sleep,
        holder="alive",
        claim_lease=LEASE,
    )
    clock.advance(LEASE - 1)
    assert await alive.deliver_due() == 0  # the claim may still be good
    assert record.sent == []
    clock.advance(2)
    assert await alive.deliver_due() == 3
    assert _sent_ids(record) == [a.id for a in alerts]


@pytest.mark.parametrize("arrived", [False, True], ids=["lost", "arrived"])
async def test_an_interrupted_send_of_a_dead_replica_is_looked_up_after_its_claim_expires(
    outbox: OutboxRepo, clock: Clock, arrived: bool
) -> None:
    alert = _alert(1, "desk")
    await outbox.enqueue(alert, clock.now())
    await outbox.claim_due("dead", clock.now(), lease=LEASE)
    await outbox.mark_inflight(alert.id, clock.now(), holder="dead")
    record = Record()
    if arrived:
        record.sent.append(("desk", alert.id))  # it died after the send, before the record
    alive = Deliverer(
        outbox,
        _notifiers(record, ["desk"]),
        DeliveryConfig(),
        clock.now,
        clock.sleep,
        holder="alive",
        claim_lease=LEASE,
    )
    clock.advance(LEASE - 1)
    await alive.deliver_due()
    assert record.lookups == []  # its holder may still be sending it
    assert await outbox.status(alert.id) == "unknown"
    clock.advance(2)
    await alive.deliver_due()
    await alive.deliver_due()
    assert record.lookups == [alert.id]
    assert _sent_ids(record) == [alert.id]  # sent once: again when lost, not when it arrived
    assert await outbox.status(alert.id) == "sent"


async def test_a_restarted_replica_looks_up_its_own_interrupted_send_at_once(
    outbox: OutboxRepo, clock: Clock
) -> None:
    alert = _alert(1, "desk")
    await outbox.enqueue(alert, clock.now())
    await outbox.claim_due("replica-a", clock.now(), lease=LEASE)
    await outbox.mark_inflight(alert.id, clock.now(), holder="replica-a")
    record = Record(sent=[("desk", alert.id)])
    again = Deliverer(
        outbox,
        _notifiers(record, ["desk"]),
        DeliveryConfig(),
        clock.now,
        clock.sleep,
        holder="replica-a",
        claim_lease=LEASE,
    )
    await again.recover()
    assert record.lookups == [alert.id]
    assert await again.deliver_due() == 1
    assert _sent_ids(record) == [alert.id]


async def test_a_slow_send_keeps_its_claim_and_is_not_taken_for_a_dead_one(
    outbox: OutboxRepo,
) -> None:
    alert = _alert(1, "desk")
    await outbox.enqueue(alert, datetime.now(UTC))
    record = Record()

    def replica(holder: str) -> Deliverer:
        return Deliverer(
            outbox,
            _notifiers(record, ["desk"], delay=1.2),
            DeliveryConfig(),
            lambda: datetime.now(UTC),
            holder=holder,
            claim_lease=0.3,
        )

    slow = asyncio.create_task(replica("r1").deliver_due())
    await asyncio.sleep(0.7)  # more than twice the lease: only renewals keep the claim
    other = replica("r2")
    assert await other.deliver_due() == 0
    assert record.lookups == []
    assert await slow == 1
    assert await other.deliver_due() == 0
    assert _sent_ids(record) == [alert.id]
