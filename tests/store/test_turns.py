"""SQLite's one-at-a-time queue: what an alert waits on goes ahead of routine work."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from monitor.store import open_store, urgent
from monitor.store.db import Turns


async def _queue(turns: Turns, order: list[str], name: str, is_urgent: bool) -> None:
    async with turns.turn(is_urgent):
        order.append(name)
        await asyncio.sleep(0)


async def _waiting(turns: Turns, order: list[str], *names: str) -> list[asyncio.Task[None]]:
    """Hold the turn, then queue a task for each name (urgent when it starts with "u")."""
    await turns.acquire()
    tasks = [asyncio.create_task(_queue(turns, order, n, n.startswith("u"))) for n in names]
    await asyncio.sleep(0)  # all queued
    return tasks


async def test_urgent_waiters_go_first_each_kind_in_arrival_order() -> None:
    turns = Turns()
    order: list[str] = []
    tasks = await _waiting(turns, order, "r1", "u1", "r2", "u2", "r3")
    turns.release()
    await asyncio.gather(*tasks)
    assert order == ["u1", "u2", "r1", "r2", "r3"]


async def test_routine_work_is_not_starved_by_a_stream_of_urgent_work() -> None:
    turns = Turns()
    order: list[str] = []
    tasks = await _waiting(turns, order, "routine", *(f"u{i}" for i in range(20)))
    turns.release()
    await asyncio.gather(*tasks)
    assert order.index("routine") == Turns.URGENT_IN_A_ROW
    assert [n for n in order if n != "routine"] == [f"u{i}" for i in range(20)]


async def test_a_waiter_cancelled_as_its_turn_came_passes_the_turn_on() -> None:
    turns = Turns()
    order: list[str] = []
    first, second = await _waiting(turns, order, "first", "second")
    turns.release()  # handed to `first`, which has not run yet...
    first.cancel()  # ...and is cancelled before it does
    await asyncio.gather(first, return_exceptions=True)
    await asyncio.wait_for(second, timeout=2)
    assert order == ["second"]
    await asyncio.wait_for(turns.acquire(), timeout=2)  # free again


async def test_a_cancelled_waiter_leaves_the_queue() -> None:
    turns = Turns()
    order: list[str] = []
    gone, kept = await _waiting(turns, order, "u-gone", "kept")
    gone.cancel()
    await asyncio.gather(gone, return_exceptions=True)
    turns.release()
    await asyncio.wait_for(kept, timeout=2)
    assert order == ["kept"]


async def test_store_statements_of_an_urgent_task_overtake_queued_routine_ones(
    tmp_path: Path,
) -> None:
    store = await open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    db = store.db
    order: list[str] = []
    release = asyncio.Event()

    async def holder() -> None:
        async with db.transaction():
            await db.execute("SELECT 1")
            await release.wait()

    async def statement(name: str) -> None:
        await db.execute("SELECT 1")
        order.append(name)

    async def urgent_statement(name: str) -> None:
        with urgent():
            await statement(name)

    try:
        held = asyncio.create_task(holder())
        await asyncio.sleep(0.05)
        routine = [asyncio.create_task(statement(f"routine-{i}")) for i in range(5)]
        await asyncio.sleep(0.05)
        alert = asyncio.create_task(urgent_statement("alert"))
        await asyncio.sleep(0.05)
        release.set()
        await asyncio.gather(held, *routine, alert)
    finally:
        await store.close()
    assert order[0] == "alert"
    assert order[1:] == [f"routine-{i}" for i in range(5)]


@pytest.mark.parametrize("is_urgent", [False, True])
async def test_urgent_is_the_tasks_own(is_urgent: bool) -> None:
    """A task started inside `urgent()` inherits it; the caller's flag is back afterwards."""
    from monitor.store.db import _URGENT

    seen: list[bool] = []

    async def child() -> None:
        seen.append(_URGENT.get())

    if is_urgent:
        with urgent():
            await asyncio.create_task(child())
    else:
        await asyncio.create_task(child())
    assert seen == [is_urgent]
    assert _URGENT.get() is False
