"""Next-poll planning with a controlled clock, and the feed-state rows it is stored in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.config import PollingConfig
from monitor.schedule import CacheHints, all_items_new, health_change, next_poll
from monitor.store import Store

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
CFG = PollingConfig(min_interval=60, max_interval=3600, max_backoff=6 * 3600)


@pytest.mark.parametrize(
    ("hints", "all_new", "seconds"),
    [
        (CacheHints(), False, 300),
        (CacheHints(max_age=900), False, 900),
        (CacheHints(max_age=30), False, 300),
        (CacheHints(expires=1200), False, 1200),
        (CacheHints(max_age=600, expires=2400), False, 600),
        (CacheHints(ttl=1800), False, 1800),
        (CacheHints(max_age=86400), False, 3600),
        (CacheHints(retry_after=700), False, 700),
        (CacheHints(max_age=900), True, 150),
    ],
    ids=[
        "interval",
        "max-age",
        "short-max-age",
        "expires",
        "max-age-beats-expires",
        "rss-ttl",
        "capped",
        "retry-after",
        "all-new-sooner",
    ],
)
def test_next_poll_after_success(hints: CacheHints, all_new: bool, seconds: float) -> None:
    assert next_poll(NOW, 300, CFG, hints=hints, all_new=all_new) == NOW + timedelta(
        seconds=seconds
    )


def test_all_new_never_goes_below_min_interval() -> None:
    assert next_poll(NOW, 60, CFG, all_new=True) == NOW + timedelta(seconds=60)


@pytest.mark.parametrize(
    ("streak", "retry_after", "seconds"),
    [
        (1, None, 300),
        (2, None, 600),
        (3, None, 1200),
        (7, None, 19200),
        (8, None, 6 * 3600),
        (500, None, 6 * 3600),
        (1, 3600.0, 3600),
        (1, 86400.0, 6 * 3600),
    ],
    ids=[
        "first",
        "second",
        "third",
        "seventh",
        "capped",
        "never-gives-up",
        "retry-after",
        "retry-after-capped",
    ],
)
def test_backoff(streak: int, retry_after: float | None, seconds: float) -> None:
    when = next_poll(NOW, 300, CFG, error_streak=streak, hints=CacheHints(retry_after=retry_after))
    assert when == NOW + timedelta(seconds=seconds)


def test_all_items_new_and_health_changes() -> None:
    assert all_items_new(20, 20, first_poll=False)
    assert not all_items_new(20, 20, first_poll=True)
    assert not all_items_new(3, 20, first_poll=False)
    assert health_change(4, 5, 5, alerted=False) == "failing"
    assert health_change(5, 6, 5, alerted=True) is None
    assert health_change(6, 0, 5, alerted=True) == "recovered"
    assert health_change(2, 0, 5, alerted=False) is None


async def test_feed_state_round_trip_with_backoff_and_recovery(store: Store) -> None:
    repo = store.feeds
    url = "https://news.example/feed"
    await repo.record_success(
        url,
        now=NOW,
        next_poll=NOW + timedelta(minutes=5),
        name="news",
        etag='"v1"',
        last_modified="Wed, 01 May 2024 11:00:00 GMT",
        body_hash="abc",
        item_count=20,
        new_items=20,
    )
    clock = NOW
    for streak in (1, 2, 3):
        clock += timedelta(minutes=10)
        nxt = next_poll(clock, 300, CFG, error_streak=streak)
        state = await repo.record_failure(
            url, now=clock, outcome="timeout", error="slow", next_poll=nxt
        )
        assert state.error_streak == streak and state.next_poll == nxt
    assert await repo.count_in_error() == 1 and await repo.due(clock) == []
    assert await repo.due(clock + timedelta(hours=1)) == [url]
    await repo.set_health_alerted(url, True)
    state = await repo.record_success(url, now=clock, next_poll=clock, outcome="304")
    assert (state.error_streak, state.last_error, state.etag, state.body_hash) == (
        0,
        None,
        '"v1"',
        "abc",
    )
    assert state.health_alerted and state.item_count == 20 and state.new_items == 20
    assert [s.name for s in await repo.all()] == ["news"] and await repo.count_in_error() == 0
