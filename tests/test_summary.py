"""The pass summary under `monitor run`: a pass ends when every enabled feed has been polled."""

from __future__ import annotations

import logging

import pytest

from monitor.notify.tally import DeliveryTally
from monitor.pipeline import PollResult
from monitor.summary import PassTracker, summarize
from tests.notify.conftest import make_alert


def test_a_pass_ends_when_every_feed_was_polled_and_counts_each_poll(
    caplog: pytest.LogCaptureFixture,
) -> None:
    feeds = ["AP", "Yonhap"]
    tally = DeliveryTally()
    tracker = PassTracker(lambda: feeds, tally.take, lambda: 3)
    caplog.set_level(logging.INFO, logger="monitor.summary")

    tracker.record(PollResult("AP", "200", new_entries=4, detections=1, new_events=1))
    tracker.record(PollResult("AP", "timeout", error="timed out"))  # polled again: latest counts
    assert tracker.last is None, "Yonhap has not been polled yet"
    tally.count_sent(make_alert())
    tracker.record(PollResult("Yonhap", "200", new_entries=2, detections=1))
    assert tracker.last is not None
    assert tracker.last.line() == (
        "2 feeds polled (1 failed), 6 new items, 2 detections, 1 event opened; "
        "alerts: 1 sent, 3 pending, 0 failed"
    )
    (record,) = caplog.records
    assert record.getMessage() == f"pass 1: {tracker.last.line()}"
    assert record.levelno == logging.INFO and record.__dict__["alerts_pending"] == 3

    feeds.remove("Yonhap")  # a reload: the next pass needs only AP
    tally.count_failed(make_alert(), "refused")
    tracker.record(PollResult("AP", "304"))
    assert tracker.passes == 2
    assert caplog.records[-1].levelno == logging.WARNING  # an alert failed for good
    assert caplog.records[-1].getMessage().endswith("alerts: 0 sent, 3 pending, 1 failed")


def test_an_alert_retried_then_sent_counts_once_as_sent() -> None:
    tally = DeliveryTally()
    alert = make_alert()
    tally.count_retry(alert, "timed out")
    tally.count_sent(alert)
    taken = tally.take()
    assert (taken.sent, taken.retrying, taken.failed) == (1, {}, {})
    assert tally.take().sent == 0
    summary = summarize([PollResult("AP", "200")], taken, None)
    assert summary.line().endswith("alerts: 1 sent, ? pending, 0 failed")
