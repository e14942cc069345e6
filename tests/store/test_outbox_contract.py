"""The alert outbox (OutboxRepo), on SQLite and on PostgreSQL alike: every public method, the
claims that let several replicas deliver from one outbox included."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from monitor.models import Alert
from monitor.store import Store, open_store
from monitor.store.outbox import OutboxRepo, OutboxRow, RemoteRef
from tests.notify.conftest import make_alert, make_event

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LEASE = 30.0


def _alert(n: int, destination: str = "slack", **kw: object) -> Alert:
    return make_alert(f"a{n:024d}", destination=destination, headline=f"report {n}", **kw)


def _ids(rows: list[OutboxRow]) -> list[str]:
    return [r.alert.id for r in rows]


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def test_enqueue_adds_an_alert_once_and_every_reader_sees_it(store: Store) -> None:
    outbox = store.outbox
    first = _alert(1)
    assert await outbox.enqueue(first, T0, route=2)
    assert not await outbox.enqueue(replace(first, headline="changed"), T0)  # same id
    other = _alert(2, "mail", event_id="ev-2", created_at=None)
    assert await outbox.enqueue(other, _at(5), next_at=_at(60), role="ops")

    row = await outbox.get(first.id)
    assert row is not None
    assert (row.route, row.role, row.next_at, row.remote_ref) == (2, "alert", T0, None)
    assert row.alert.headline == "report 1" and row.alert.event == first.event
    assert (row.alert.status, row.alert.attempts) == ("pending", 0)
    assert row.alert.created_at == first.created_at  # its own time, not the time of queueing
    mail = await outbox.get(other.id)
    assert mail is not None and mail.role == "ops" and mail.next_at == _at(60)
    assert mail.alert.created_at == _at(5)  # the time of queueing when the alert has none
    assert await outbox.get("a-none") is None
    assert await outbox.status(first.id) == "pending" and await outbox.status("a-none") is None

    assert _ids(await outbox.by_event("ev-1")) == [first.id]
    assert _ids(await outbox.for_event("ev-2", "mail")) == [other.id]
    assert await outbox.for_event("ev-2", "slack") == []
    assert await outbox.counts() == {"pending": 2, "unknown": 0, "sent": 0, "failed": 0}
    assert await outbox.waiting_by_destination() == {"slack": 1, "mail": 1}
    assert [a.id for a in await outbox.recent()] == [other.id, first.id]  # newest first
    assert [a.id for a in await outbox.recent(["pending"], limit=1)] == [other.id]
    assert _ids(await outbox.owed_to("mail")) == [other.id]


async def test_a_send_goes_pending_claimed_unknown_sent(store: Store) -> None:
    outbox = store.outbox
    alert = _alert(1)
    await outbox.enqueue(alert, T0)
    assert _ids(await outbox.due(T0)) == [alert.id]
    [claimed] = await outbox.claim_due("r1", T0, lease=LEASE)
    assert claimed.alert.id == alert.id
    assert await outbox.claims(alert.id) == ("r1", _at(LEASE))

    live = await outbox.mark_inflight(alert.id, _at(1), holder="r1", until=_at(1 + LEASE))
    assert live is not None and live.alert.status == "unknown" and live.alert.attempts == 1
    assert await outbox.claims(alert.id) == ("r1", _at(1 + LEASE))
    assert _ids(await outbox.unknown(_at(1))) == [alert.id]
    ref = RemoteRef("slack", "1714543200.000100", "C0ALERTS")
    await outbox.record_ref(alert.id, ref)
    assert await outbox.remote_ref(alert.id) == ref
    await outbox.mark_sent(alert.id, None, _at(2))
    row = await outbox.get(alert.id)
    assert row is not None and row.alert.status == "sent" and row.remote_ref == ref
    assert await outbox.claims(alert.id) == (None, None)
    assert await outbox.due(_at(3)) == [] and await outbox.unknown(_at(3)) == []
    assert await outbox.counts() == {"pending": 0, "unknown": 0, "sent": 1, "failed": 0}
    assert await outbox.waiting_by_destination() == {}
    assert RemoteRef.from_json(ref.to_json()) == ref


async def test_retries_keep_the_destination_in_order_and_failures_wait_for_a_person(
    store: Store,
) -> None:
    outbox = store.outbox
    one, two, elsewhere = _alert(1), _alert(2), _alert(3, "mail")
    for alert in (one, two, elsewhere):
        await outbox.enqueue(alert, T0)
    await outbox.claim_due("r1", T0)
    assert await outbox.mark_inflight(one.id, T0, holder="r1") is not None
    assert await outbox.mark_retry(one.id, _at(60), "HTTP 503", holder="r1")
    await outbox.release("r1")
    # the second alert to slack waits while the first backs off; mail does not
    assert _ids(await outbox.due(_at(10))) == [elsewhere.id]
    assert _ids(await outbox.claim_due("r1", _at(10))) == [elsewhere.id]
    await outbox.mark_sent(elsewhere.id, None, _at(10))
    assert _ids(await outbox.claim_due("r1", _at(60))) == [one.id, two.id]
    row = await outbox.get(one.id)
    assert row is not None and row.alert.last_error == "HTTP 503" and row.next_at == _at(60)

    assert await outbox.mark_failed(one.id, "gave up", holder="r1")
    assert [a.id for a in await outbox.failed()] == [one.id]
    assert (await outbox.failed())[0].last_error == "gave up"
    assert await outbox.retry_failed(["a-none", one.id, one.id], _at(70)) == 1
    assert await outbox.retry_failed([], _at(70)) == 0
    row = await outbox.get(one.id)
    assert row is not None and (row.alert.status, row.alert.attempts) == ("pending", 0)
    assert await outbox.mark_failed(two.id, "refused")
    assert await outbox.retry_failed(None, _at(80)) == 1
    assert await outbox.failed() == []


async def test_a_claim_keeps_other_replicas_off_until_it_expires_or_is_released(
    store: Store,
) -> None:
    outbox = store.outbox
    for n in (1, 2, 3):
        await outbox.enqueue(_alert(n), T0)
    assert _ids(await outbox.claim_due("r1", T0, limit=2, lease=LEASE)) == [
        _alert(1).id,
        _alert(2).id,
    ]
    # the third waits behind r1's claims: its destination gets its alerts in order
    assert await outbox.claim_due("r2", _at(1), lease=LEASE) == []
    assert len(await outbox.claim_due("r1", _at(1), lease=LEASE)) == 3  # r1's own, again
    assert await outbox.renew(_alert(1).id, "r1", _at(100))
    assert not await outbox.renew(_alert(1).id, "r2", _at(100))
    # r1 goes quiet: its claims run out, except the renewed one, which still blocks the rest
    assert await outbox.claim_due("r2", _at(LEASE + 2)) == []
    assert _ids(await outbox.claim_due("r2", _at(101))) == [a.id for a in map(_alert, (1, 2, 3))]
    assert await outbox.claims(_alert(1).id) == ("r2", _at(101 + 60))
    assert await outbox.release("r2", [_alert(3).id]) == 1
    assert await outbox.claims(_alert(3).id) == (None, None)
    assert await outbox.release("r2", []) == 0
    assert await outbox.release("r2") == 2
    assert _ids(await outbox.claim_due("r3", _at(102), destinations=["slack"])) != []
    assert await outbox.claim_due("r4", _at(102), destinations=[]) == []
    assert await outbox.claim_due("r4", _at(300), destinations=["mail"]) == []


async def test_only_the_claim_holder_starts_a_send_or_settles_it(store: Store) -> None:
    outbox = store.outbox
    alert = _alert(1)
    await outbox.enqueue(alert, T0)
    await outbox.claim_due("r1", T0, lease=LEASE)
    assert await outbox.mark_inflight(alert.id, T0, holder="r2") is None
    await outbox.claim_due("r2", _at(LEASE + 1), lease=LEASE)  # r1's claim lapsed: r2's now
    assert await outbox.mark_inflight(alert.id, _at(LEASE + 1), holder="r1") is None
    live = await outbox.mark_inflight(alert.id, _at(LEASE + 1), holder="r2")
    assert live is not None and live.alert.attempts == 1
    assert await outbox.mark_inflight(alert.id, _at(LEASE + 2), holder="r2") is None  # in flight
    assert not await outbox.mark_retry(alert.id, _at(99), "late", holder="r1")
    assert not await outbox.mark_failed(alert.id, "late", holder="r1")
    assert await outbox.status(alert.id) == "unknown"
    assert await outbox.mark_retry(alert.id, _at(99), "503", holder="r2")
    assert await outbox.claims(alert.id) == (None, None)
    # without a holder (a test or a person): the alert as it is
    assert await outbox.mark_inflight(alert.id, _at(100)) is not None


async def test_an_interrupted_send_is_looked_up_by_its_holder_or_once_its_claim_expired(
    store: Store,
) -> None:
    outbox = store.outbox
    alert = _alert(1)
    await outbox.enqueue(alert, T0)
    await outbox.claim_due("r1", T0, lease=LEASE)
    await outbox.mark_inflight(alert.id, T0, holder="r1", until=_at(LEASE))
    # r1 may still be sending: nobody else looks it up
    assert await outbox.claim_unknown("r2", _at(1), lease=LEASE) == []
    assert _ids(await outbox.unknown(_at(1))) == [alert.id]
    # r1 restarted: it takes its own at once
    assert _ids(await outbox.claim_unknown("r1", _at(1), lease=LEASE)) == [alert.id]
    assert await outbox.claims(alert.id) == ("r1", _at(1 + LEASE))
    # r1 died: once its claim ran out, r2 takes it
    assert await outbox.claim_unknown("r2", _at(LEASE), lease=LEASE) == []
    [taken] = await outbox.claim_unknown("r2", _at(LEASE + 2), lease=LEASE)
    assert taken.alert.id == alert.id and taken.alert.status == "unknown"
    assert await outbox.claims(alert.id) == ("r2", _at(2 * LEASE + 2))
    assert await outbox.claim_unknown("r2", _at(LEASE + 2), destinations=["mail"]) == []
    # a failed lookup waits as "unknown", for anyone
    assert await outbox.mark_retry(alert.id, _at(90), "no answer", status="unknown", holder="r2")
    assert await outbox.claim_unknown("r3", _at(89)) == []
    assert _ids(await outbox.claim_unknown("r3", _at(90))) == [alert.id]


async def test_a_payload_is_replaced_only_while_unattempted_and_as_it_was_read(
    store: Store,
) -> None:
    outbox = store.outbox
    alert = _alert(1, event=make_event(2), language="ko")
    await outbox.enqueue(alert, T0)
    stored = await outbox.get(alert.id)
    assert stored is not None
    first = replace(alert, summary="first fold")
    assert await outbox.replace_payload(first, was=stored.alert)  # read back, written back
    assert not await outbox.replace_payload(replace(alert, summary="lost"), was=stored.alert)
    row = await outbox.get(alert.id)
    assert row is not None and row.alert.summary == "first fold"
    assert row.alert.language == "ko" and row.alert.event.facts == make_event(2).facts
    assert await outbox.replace_payload(replace(alert, summary="second fold"))
    await outbox.mark_inflight(alert.id, T0)
    assert not await outbox.replace_payload(replace(alert, summary="too late"))
    row = await outbox.get(alert.id)
    assert row is not None and row.alert.summary == "second fold"


async def test_flood_control_counts_and_open_summaries(store: Store) -> None:
    outbox = store.outbox
    for n in range(3):
        news = _alert(n, event_id=f"ev-{n}", created_at=_at(n * 60))
        await outbox.enqueue(news, _at(n * 60), route=0)
    await outbox.enqueue(_alert(9, event_id="ev-9"), T0, route=1)
    await outbox.enqueue(_alert(10, event_id="ev-0", kind="followup"), _at(200), route=0)
    assert await outbox.count_routed(0, T0 - timedelta(seconds=1)) == (3, T0)
    assert await outbox.count_routed(0, _at(30)) == (2, _at(60))
    assert await outbox.count_routed(5, T0) == (0, None)

    assert await outbox.open_summary(0, "slack") is None
    summary = _alert(20, event_id="flood:0:slack")
    await outbox.enqueue(summary, T0, next_at=_at(3600), route=0, role="summary")
    found = await outbox.open_summary(0, "slack")
    assert found is not None and found.alert.id == summary.id and found.role == "summary"
    assert await outbox.open_summary(0, "mail") is None
    await outbox.mark_inflight(summary.id, _at(3600))
    assert await outbox.open_summary(0, "slack") is None  # on its way: takes no more lines


async def test_a_person_reroutes_or_drops_what_was_not_delivered(store: Store) -> None:
    outbox = store.outbox
    first = _alert(1, "ops")
    followup = _alert(2, "ops", kind="followup", parent=first.id)
    await outbox.enqueue(first, T0)
    await outbox.enqueue(followup, T0)
    await outbox.claim_due("r1", T0)
    assert _ids(await outbox.children(first.id)) == [followup.id]
    assert _ids(await outbox.owed_to("ops")) == [first.id, followup.id]

    row = await outbox.get(first.id)
    assert row is not None
    assert await outbox.set_destination(row, "desk", None, _at(5), "rerouted by hand")
    moved = await outbox.get(first.id)
    assert moved is not None and moved.alert.destination == "desk"
    assert moved.alert.last_error == "rerouted by hand" and moved.next_at == _at(5)
    assert await outbox.claims(first.id) == (None, None)  # r1 does not send it to ops
    assert await outbox.mark_inflight(first.id, _at(6), holder="r1") is None
    assert await outbox.mark_inflight(first.id, _at(7)) is not None  # desk's send starts
    assert not await outbox.set_destination(row, "elsewhere", None, _at(8), "read before")

    assert await outbox.mark_dropped(followup.id, "dropped by hand")
    assert not await outbox.mark_dropped(followup.id, "again")
    assert await outbox.status(followup.id) == "dropped"
    assert (await outbox.counts())["dropped"] == 1
    assert await outbox.owed_to("ops") == []
    assert [a.id for a in await outbox.recent(["dropped"])] == [followup.id]


async def test_replicas_claiming_at_once_never_share_an_alert(store_url: str) -> None:
    stores = [await open_store(store_url) for _ in range(4)]
    try:
        outbox = stores[0].outbox
        for n in range(60):
            await outbox.enqueue(_alert(n, f"dest-{n // 10}"), T0)

        async def claim(repo: OutboxRepo, holder: str) -> list[str]:
            return _ids(await repo.claim_due(holder, T0, limit=15))

        got = await asyncio.gather(*(claim(s.outbox, f"r{i}") for i, s in enumerate(stores)))
        claimed = [alert_id for batch in got for alert_id in batch]
        assert len(claimed) == len(set(claimed)) >= 15
        assert sum(1 for batch in got if batch) >= 2  # more than one replica got work
        # a destination's alerts are all with one replica, so they go out in order
        holders: dict[str, set[str]] = {}
        for n in range(60):
            holder, _ = await outbox.claims(_alert(n).id)
            if holder is not None:
                holders.setdefault(f"dest-{n // 10}", set()).add(holder)
        assert holders and all(len(h) == 1 for h in holders.values())
    finally:
        for s in stores:
            await s.close()
