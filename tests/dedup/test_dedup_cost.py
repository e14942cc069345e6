"""The cost of deduplicating one item does not grow with the store.

Counted in SQLite virtual-machine steps (a progress handler), not in seconds, so the test is
exact and quick: a statement that reads every event of a type, or every item sharing a key,
takes more steps in a bigger store, whatever the machine's speed.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

from dedup_helpers import T0, Clock, article, detection, make_dedup

from monitor.dedup import Deduplicator
from monitor.models import Entry
from monitor.store import Store, open_store

ACTORS = ("north-korea", "iran", "russia")
STEP = 100  # VM instructions per progress-handler call


class _Texts:
    def __init__(self) -> None:
        self.rng = random.Random(5)
        self.vocab = [f"w{i}" for i in range(3000)]

    def __call__(self) -> str:
        words = self.rng.choices(self.vocab, k=self.rng.randint(120, 200))
        return ". ".join(" ".join(words[i : i + 12]) for i in range(0, len(words), 12)) + "."


async def _add(
    dedup: Deduplicator, clock: Clock, texts: _Texts, n: int, text: str | None = None
) -> None:
    """Item n: its own day and actor, so the events grow with the items."""
    clock.t = T0 + timedelta(hours=8 * n)
    a = article(f"outlet{n % 5}:{n}", text or texts(), clock.t, url=f"https://x.org/{n}")
    d = detection(ACTORS[n % len(ACTORS)], clock.t.date())
    entry = Entry(a.outlet, f"guid-{n}", a.url or "", a.title, "", a.published)
    assert not await dedup.is_known(entry)
    await dedup.record(entry, a, [d])


async def _driver_connection(store: Store) -> Any:
    """The store's one SQLite connection, as aiosqlite holds it."""
    async with store.db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        return raw.driver_connection


async def _steps_per_item(store: Store, size: int) -> float:
    """Mean VM steps for is_known + record of new items, at `size` stored items."""
    clock, texts = Clock(), _Texts()
    dedup = make_dedup(store, clock)
    stored: list[str] = []
    async with store.transaction():
        for n in range(size):
            text = texts()
            stored.append(text)
            await _add(dedup, clock, texts, n, text)
    conn = await _driver_connection(store)
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    await conn.set_progress_handler(count, STEP)
    probes = 20
    for i in range(probes):
        rewrite = stored[i * 7] + " " + texts() if i % 2 else None  # half rewrite a stored text
        await _add(dedup, clock, texts, size + i, rewrite)
    await conn.set_progress_handler(None, 0)
    return steps[0] * STEP / probes


async def test_cost_per_item_is_flat_as_the_store_grows(tmp_path: Path) -> None:
    costs = []
    for size in (150, 600):
        store = await open_store(f"sqlite:///{tmp_path / f'store-{size}.sqlite3'}")
        try:
            costs.append(await _steps_per_item(store, size))
        finally:
            await store.close()
    small, big = costs
    # B-trees a level deeper may cost a little more; a statement that reads rows in
    # proportion to the store costs about four times as much.
    assert big < small * 1.25, costs
