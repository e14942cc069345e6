"""The store never holds the event loop: while a store call waits on the database (another
client holds the table it needs), the loop goes on running everything else, and the call
completes once the other client lets go. A driver that blocked the loop's thread would freeze
the probe for the whole wait.

How late the loop runs while the service polls is a figure, not a pass/fail check: bench/farm.py
measures it (README, "Performance")."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import psycopg

from monitor.store import Store
from monitor.store.db import sqlite_file

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
HOLD = 1.5  # seconds the other client keeps the feed table locked
PERIOD = 0.005  # the probe's timer


async def _one_feed(store: Store, i: int) -> None:
    url = f"https://news.example/{i}/rss.xml"
    state = await store.feeds.take_lease(url, f"feed {i}", "r1", T0, 30)
    assert state is not None
    async with store.transaction():
        await store.feeds.record_success(
            url, now=T0, next_poll=T0 + timedelta(minutes=5), name=f"feed {i}", item_count=20
        )
    await store.feeds.get(url)


@contextmanager
def feed_table_held(url: str, seconds: float) -> Iterator[None]:
    """Another client locks the feed table and lets go after `seconds`, from a timer thread,
    so that a store call that blocked the loop would still end (and the test fail, not hang)."""
    file = sqlite_file(url)
    if file is not None:
        lite = sqlite3.connect(file, isolation_level=None, check_same_thread=False)
        lite.execute("BEGIN EXCLUSIVE")
        release, close = lite.rollback, lite.close
    else:
        pg = psycopg.connect(url)
        pg.execute("LOCK TABLE feed_state IN ACCESS EXCLUSIVE MODE")
        release, close = pg.rollback, pg.close
    timer = threading.Timer(seconds, release)
    timer.start()
    try:
        yield
    finally:
        timer.join()
        close()


async def test_a_store_call_waiting_on_the_database_leaves_the_loop_free(
    store: Store, store_url: str
) -> None:
    await _one_feed(store, -1)  # warm: the first statements compile SQL and open connections
    ticks = 0

    async def probe() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(PERIOD)
            ticks += 1

    ticking = asyncio.create_task(probe())
    try:
        with feed_table_held(store_url, HOLD):
            call = asyncio.create_task(_one_feed(store, 1))
            await asyncio.sleep(HOLD / 2)
            waiting, ticked = not call.done(), ticks
            await asyncio.wait_for(call, timeout=60)
    finally:
        ticking.cancel()
    assert waiting, "the store call should wait for the other client's lock"
    # A thread blocked in the driver would let the probe tick at most once in that time;
    # free, it ticks about 150 times (fewer on a loaded machine, never near zero).
    assert ticked >= 10, f"the loop ran {ticked} timers in {HOLD / 2:.2f} s of waiting"
    assert await store.feeds.get("https://news.example/1/rss.xml") is not None
