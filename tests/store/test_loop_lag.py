"""The store never holds the event loop: a burst of a poll's writes and reads through the
repositories, 300 feeds at once, while a probe measures how late a 5 ms timer fires and how
much of that lateness was this process's own code on the loop (not another process that had
the CPU: these machines are shared)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from monitor.looplag import LoopLag
from monitor.store import Store

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
BUDGET = 0.020  # the bound: no store call holds the loop for 20 ms


async def _one_feed(store: Store, i: int) -> None:
    url = f"https://news.example/{i}/rss.xml"
    state = await store.feeds.take_lease(url, f"feed {i}", "r1", T0, 30)
    assert state is not None
    async with store.transaction():
        await store.feeds.record_success(
            url, now=T0, next_poll=T0 + timedelta(minutes=5), name=f"feed {i}", item_count=20
        )
        await store.replicas.beat("r1", "host", 1, T0)
    await store.feeds.get(url)
    await store.outbox.counts()
    await store.events.recent(limit=20)


@pytest.fixture
def frozen_heap() -> Iterator[None]:
    """As the service does once started (monitor.service): what start-up made is left out of
    full collections, which would otherwise walk it while holding the loop."""
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


async def test_a_burst_of_store_calls_never_holds_the_loop(store: Store, frozen_heap: None) -> None:
    # Warm up first: the first statements compile SQL and open connections.
    await _one_feed(store, -1)
    async with LoopLag(period=0.005) as lag:
        await asyncio.gather(*(_one_feed(store, i) for i in range(300)))
    assert len(lag.samples) > 10, "the probe must have run during the burst"
    assert lag.worst_held < BUDGET, (
        f"the loop was held {lag.worst_held * 1000:.1f} ms (late by {lag.worst * 1000:.1f} ms)"
    )
