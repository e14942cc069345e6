"""Alerts waiting for a destination that left the config: they wait (never failed), they do not
hold up other destinations, and a person can reroute or drop them."""

from __future__ import annotations

import logging

import pytest

from monitor.config import DeliveryConfig, SlackDestination
from monitor.notify.deliver import Deliverer
from monitor.notify.slack import SlackNotifier
from monitor.store.outbox import OutboxRepo, OutboxRow
from monitor.store.outbox_admin import drop, reroute, select
from tests.notify.conftest import Clock, make_alert
from tests.servers.slack import SlackServer

FIRST = "a000000000000000000000001"
FOLLOWUP = "a000000000000000000000002"


def _slack(name: str, slack: SlackServer) -> SlackNotifier:
    cfg = SlackDestination(type="slack", channel="C0ALERTS", base_url=slack.url)
    return SlackNotifier(name, cfg, slack.token, pace=0)


async def _owed(outbox: OutboxRepo, destination: str) -> list[OutboxRow]:
    return await outbox.owed_to(destination)


async def test_alerts_for_a_removed_destination_wait_without_holding_up_others(
    outbox: OutboxRepo, slack: SlackServer, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    gone = [f"g{i:024d}" for i in range(150)]  # more than one round's worth
    for alert_id in gone:
        await outbox.enqueue(make_alert(alert_id, destination="ops-slack"), clock.now())
    await outbox.enqueue(make_alert(FIRST, destination="desk-slack"), clock.now())
    worker = Deliverer(
        outbox, {"desk-slack": _slack("desk-slack", slack)}, DeliveryConfig(), clock.now
    )
    with caplog.at_level(logging.INFO, logger="monitor.notify.deliver"):
        assert await worker.deliver_due() == 1
        assert await worker.deliver_due() == 0
    assert slack.alert_ids() == [FIRST]
    assert await outbox.counts() == {"pending": 150, "unknown": 0, "sent": 1, "failed": 0}
    (said,) = [r.getMessage() for r in caplog.records if "not in the config" in r.getMessage()]
    assert "150 alerts wait for destination 'ops-slack'" in said
    assert "monitor alerts reroute --destination ops-slack --to NAME" in said

    worker.notifiers = {"ops-slack": _slack("ops-slack", slack)}  # the destination is back
    with caplog.at_level(logging.INFO, logger="monitor.notify.deliver"):
        while await worker.deliver_due():
            pass
    assert (await outbox.counts())["sent"] == 151
    assert "destination 'ops-slack' is back" in caplog.text


async def test_reroute_moves_an_event_and_its_followup_and_they_thread_there(
    outbox: OutboxRepo, slack: SlackServer, clock: Clock
) -> None:
    await outbox.enqueue(make_alert(FIRST, destination="ops-slack"), clock.now())
    await outbox.mark_failed(FIRST, "an old failure")
    followup = make_alert(FOLLOWUP, destination="ops-slack", kind="followup", parent=FIRST)
    await outbox.enqueue(followup, clock.now())

    rows, refused = await select(outbox, [], "ops-slack")
    out = await reroute(outbox, rows, "desk-slack", {"desk-slack"}, clock.now())
    assert (out.changed, out.also_dropped, out.refused, refused) == ([FIRST, FOLLOWUP], [], [], [])
    moved = await outbox.get(FIRST)
    assert moved is not None and moved.alert.destination == "desk-slack"
    assert moved.alert.status == "pending" and moved.alert.attempts == 0
    assert moved.alert.last_error and "rerouted from ops-slack" in moved.alert.last_error

    worker = Deliverer(
        outbox, {"desk-slack": _slack("desk-slack", slack)}, DeliveryConfig(), clock.now
    )
    while await worker.deliver_due():
        pass
    (message,) = slack.messages()
    assert len(slack.replies(message["ts"])) == 1  # the follow-up, in the first alert's thread


async def test_reroute_drops_a_first_alert_the_destination_already_has(
    outbox: OutboxRepo, clock: Clock
) -> None:
    await outbox.enqueue(make_alert(FIRST, destination="desk-slack"), clock.now())
    await outbox.mark_sent(FIRST, None, clock.now())
    await outbox.enqueue(make_alert(FOLLOWUP, destination="ops-slack"), clock.now())  # same event

    rows, _ = await select(outbox, [FOLLOWUP], None)
    out = await reroute(outbox, rows, "desk-slack", {"desk-slack"}, clock.now())
    assert out.changed == []
    assert out.also_dropped == [
        (FOLLOWUP, f"desk-slack already has this event's first alert {FIRST}")
    ]
    assert await outbox.status(FOLLOWUP) == "dropped"


async def test_drop_takes_the_waiting_followups_along_and_refuses_what_cannot_change(
    outbox: OutboxRepo, clock: Clock
) -> None:
    await outbox.enqueue(make_alert(FIRST, destination="ops-slack"), clock.now())
    await outbox.enqueue(
        make_alert(FOLLOWUP, destination="ops-slack", kind="followup", parent=FIRST), clock.now()
    )
    sent = "a000000000000000000000003"
    await outbox.enqueue(make_alert(sent, destination="desk-slack"), clock.now())
    await outbox.mark_sent(sent, None, clock.now())
    inflight = "a000000000000000000000004"
    await outbox.enqueue(make_alert(inflight, destination="desk-slack"), clock.now())
    await outbox.mark_inflight(inflight, clock.now())

    rows, refused = await select(outbox, [FIRST, sent, "a-nonexistent", inflight], None)
    assert refused == [(sent, "already sent"), ("a-nonexistent", "no such alert")]
    out = await drop(outbox, rows, {"desk-slack"}, clock.now())
    assert out.changed == [FIRST]
    assert out.also_dropped == [(FOLLOWUP, f"a follow-up of {FIRST}")]
    assert [i for i, _ in out.refused] == [inflight]  # may be arriving at desk-slack right now
    assert "under way or unconfirmed" in out.refused[0][1]
    assert await outbox.status(FIRST) == "dropped"
    assert await outbox.status(FOLLOWUP) == "dropped"
    assert await outbox.status(inflight) == "unknown"
    assert (await outbox.counts())["dropped"] == 2
    dropped = await outbox.get(FIRST)
    assert dropped is not None and dropped.alert.last_error
    assert dropped.alert.last_error.startswith("dropped by hand on ")
    assert await _owed(outbox, "ops-slack") == []
