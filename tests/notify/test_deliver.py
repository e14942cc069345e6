"""The delivery worker against the Slack-compatible server, with time under test control."""

from __future__ import annotations

from dataclasses import replace

import pytest

from monitor.config import DeliveryConfig, SlackDestination
from monitor.notify.deliver import Deliverer
from monitor.notify.slack import SlackNotifier
from monitor.store.outbox import OutboxRepo
from tests.notify.conftest import Clock, make_alert, make_event
from tests.servers.slack import SlackServer


def _worker(
    outbox: OutboxRepo,
    slack: SlackServer,
    clock: Clock,
    token: str | None = None,
    **delivery: float,
) -> Deliverer:
    cfg = SlackDestination(type="slack", channel="C0ALERTS", base_url=slack.url)
    notifier = SlackNotifier("slack", cfg, token or slack.token, pace=1.0)
    settings = DeliveryConfig.model_validate(delivery)
    return Deliverer(outbox, {"slack": notifier}, settings, clock.now, clock.sleep)


def _ids(n: int) -> list[str]:
    return [f"a{i:024d}" for i in range(1, n + 1)]


async def test_429_then_success_delivers_once_after_retry_after(
    outbox: OutboxRepo, slack: SlackServer, clock: Clock
) -> None:
    await outbox.enqueue(make_alert(), clock.now())
    slack.fail("chat.postMessage", status=429, retry_after=30)
    worker = _worker(outbox, slack, clock)

    assert await worker.deliver_due() == 0
    assert await outbox.status(make_alert().id) == "pending"
    clock.advance(29)
    assert await worker.deliver_due() == 0  # Retry-After not over yet: no call made
    assert len(slack.calls_to("chat.postMessage")) == 1
    clock.advance(1)
    assert await worker.deliver_due() == 1
    assert slack.alert_ids() == [make_alert().id]
    assert await outbox.status(make_alert().id) == "sent"
    assert await outbox.remote_ref(make_alert().id) is not None


async def test_ten_minute_outage_delivers_everything_afterwards_in_order(
    outbox: OutboxRepo, slack: SlackServer, clock: Clock
) -> None:
    ids = _ids(5)
    for i, alert_id in enumerate(ids):
        await outbox.enqueue(make_alert(alert_id, headline=f"report {i}"), clock.now())
        clock.advance(1)
    worker = _worker(outbox, slack, clock)
    slack.down = True
    outage_end = clock.now().timestamp() + 600
    while clock.now().timestamp() < outage_end:
        assert await worker.deliver_due() == 0
        clock.advance(5)
    slack.down = False
    for _ in range(200):  # the backoff may still be running: let time pass until all are out
        await worker.deliver_due()
        if (await outbox.counts())["sent"] == 5:
            break
        clock.advance(10)
    assert slack.alert_ids() == ids
    assert await outbox.counts() == {"pending": 0, "unknown": 0, "sent": 5, "failed": 0}
    # only the oldest alert probed the outage; the others waited their turn
    tried = [
        c.params["metadata"]["event_payload"]["alert_id"]
        for c in slack.calls_to("chat.postMessage")
        if c.status != 200
    ]
    assert set(tried) == {ids[0]}


async def test_invalid_auth_fails_at_once_naming_the_setting(
    outbox: OutboxRepo, slack: SlackServer, clock: Clock
) -> None:
    await outbox.enqueue(make_alert(), clock.now())
    worker = _worker(outbox, slack, clock, token="xoxb-revoked")
    assert await worker.deliver_due() == 0
    [failed] = await outbox.failed()
    assert failed.status == "failed" and failed.attempts == 1
    assert "invalid_auth" in (failed.last_error or "")
    assert "SLACK_BOT_TOKEN" in (failed.last_error or "")
    assert "xoxb-revoked" not in (failed.last_error or "")
    assert slack.alert_ids() == []
    # fixed token, `monitor alerts retry`: delivered
    assert await outbox.retry_failed(None, clock.now()) == 1
    assert await _worker(outbox, slack, clock).deliver_due() == 1
    assert slack.alert_ids() == [failed.id]


async def test_gives_up_after_max_attempts(
    outbox: OutboxRepo, slack: SlackServer, clock: Clock
) -> None:
    await outbox.enqueue(make_alert(), clock.now())
    slack.fail("chat.postMessage", status=503, times=3)
    worker = _worker(outbox, slack, clock, max_attempts=3)
    for _ in range(3):
        await worker.deliver_due()
        clock.advance(3600)
    [failed] = await outbox.failed()
    assert "gave up after 3 attempts" in (failed.last_error or "")


async def test_followup_replies_in_thread_and_edits_first_message(
    outbox: OutboxRepo, slack: SlackServer, clock: Clock
) -> None:
    first = make_alert()
    followup = make_alert(
        "a000000000000000000000002",
        kind="followup",
        parent=first.id,
        outlet="Reuters",
        headline="Seoul confirms launch",
        event=make_event(3),
    )
    await outbox.enqueue(first, clock.now())
    await outbox.enqueue(followup, clock.now())
    worker = _worker(outbox, slack, clock)
    assert await worker.deliver_due() == 2
    [top] = slack.messages()
    [reply] = slack.replies(top["ts"])
    assert "Also reported by Reuters: Seoul confirms launch" in reply["text"]
    assert top["edits"] == 1
    assert "Reported by 3 outlets: Yonhap, Reuters, NHK" in str(top["blocks"])
    assert "place: Sea of Japan" in str(top["blocks"])
    assert clock.slept == [pytest.approx(1.0)]  # paced: one message per second per channel


async def test_interrupted_send_that_arrived_is_not_sent_again(
    outbox: OutboxRepo, slack: SlackServer, clock: Clock
) -> None:
    alert = make_alert()
    await outbox.enqueue(alert, clock.now())
    worker = _worker(outbox, slack, clock)
    # the crash: the message went out, the process died before recording it
    await outbox.mark_inflight(alert.id, clock.now())
    await worker.notifiers["slack"].send(alert, None)
    await worker.deliver_due()
    assert slack.alert_ids() == [alert.id]
    assert await outbox.status(alert.id) == "sent"
    # and one that did not arrive is sent
    other = make_alert("a000000000000000000000009")
    await outbox.enqueue(other, clock.now())
    await outbox.mark_inflight(other.id, clock.now())
    await worker.deliver_due()
    assert slack.alert_ids() == [alert.id, other.id]


async def test_a_reload_that_raises_max_attempts_applies_to_the_next_failure(
    outbox: OutboxRepo, slack: SlackServer, clock: Clock
) -> None:
    await outbox.enqueue(make_alert(), clock.now())
    slack.fail("chat.postMessage", status=503, times=5)
    worker = _worker(outbox, slack, clock, max_attempts=3)
    for _ in range(2):
        await worker.deliver_due()
        clock.advance(3600)
    worker.cfg = DeliveryConfig(max_attempts=9)  # what the service does on a reload
    for _ in range(3):
        await worker.deliver_due()
        clock.advance(3600)
    assert await outbox.failed() == []  # the old limit of 3 would have failed it by now
    assert await outbox.status(make_alert().id) == "pending"
    assert await worker.deliver_due() == 1
    assert slack.alert_ids() == [make_alert().id]


async def test_a_report_folded_in_after_the_claim_is_what_is_sent(
    outbox: OutboxRepo, slack: SlackServer, clock: Clock
) -> None:
    alert = make_alert()
    await outbox.enqueue(alert, clock.now())
    [claimed] = await outbox.claim_due("local", clock.now())
    newer = replace(alert, headline="Seoul confirms launch, says missile flew 600 km")
    assert await outbox.replace_payload(newer, was=claimed.alert)
    worker = _worker(outbox, slack, clock)
    assert await worker.deliver_due() == 1
    [message] = slack.messages()
    assert "flew 600 km" in str(message["blocks"])
