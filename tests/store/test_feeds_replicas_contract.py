"""The feed-state and replica repositories, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.store import Database, Store, meta, open_store
from monitor.store.meta import StoreIdentity
from monitor.store.migrate import current, head, history, upgrade

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
URL = "https://news.example/rss.xml"


async def test_success_and_failure_keep_streaks_and_validators(store: Store) -> None:
    feeds = store.feeds
    assert await feeds.get(URL) is None
    ok = await feeds.record_success(
        URL,
        now=T0,
        next_poll=T0 + timedelta(minutes=5),
        name="Wire",
        etag='"1"',
        item_count=3,
        new_items=3,
        body_hash="h1",
    )
    assert (ok.name, ok.etag, ok.item_count, ok.new_items, ok.error_streak) == (
        "Wire",
        '"1"',
        3,
        3,
        0,
    )
    # A 304 without validators keeps the old ones.
    again = await feeds.record_success(URL, now=T0, next_poll=T0, outcome="304")
    assert (again.etag, again.body_hash, again.last_outcome) == ('"1"', "h1", "304")
    bad = await feeds.record_failure(URL, now=T0, outcome="timeout", error="slow")
    bad = await feeds.record_failure(URL, now=T0, outcome="timeout", error="slower")
    assert (bad.error_streak, bad.last_error, bad.in_error) == (2, "slower", True)
    assert await feeds.count_in_error() == 1
    await feeds.set_health_alerted(URL, True)
    await feeds.forget_validators(URL)
    state = await feeds.get(URL)
    assert state is not None and state.health_alerted and state.etag is None
    assert state.body_hash is None
    await feeds.set_next_poll(URL, T0 - timedelta(minutes=1))
    assert await feeds.due(T0) == [URL]
    assert [s.url for s in await feeds.all()] == [URL]
    await feeds.remove(URL)
    assert await feeds.all() == []


async def test_a_lease_keeps_other_replicas_off_a_feed_until_it_expires(store: Store) -> None:
    feeds = store.feeds
    first = await feeds.take_lease(URL, "Wire", "r1", T0, lease=30)
    assert first is not None and first.url == URL
    assert await feeds.take_lease(URL, "Wire", "r2", T0 + timedelta(seconds=10), 30) is None
    assert await feeds.held_by("r1") == [URL]
    # Renewed while the poll goes on; taken over only once the holder stopped renewing.
    await feeds.renew_leases("r1", T0 + timedelta(seconds=20), 30)
    assert await feeds.take_lease(URL, "Wire", "r2", T0 + timedelta(seconds=40), 30) is None
    taken = await feeds.take_lease(URL, "Wire", "r2", T0 + timedelta(seconds=51), 30)
    assert taken is not None and taken.lease_holder == "r2"  # the state with its lease taken
    assert await feeds.held_by("r2") == [URL]


async def test_a_polled_feed_is_not_polled_again_before_its_next_poll(store: Store) -> None:
    feeds = store.feeds
    assert await feeds.take_lease(URL, "Wire", "r1", T0, 30) is not None
    await feeds.record_success(URL, now=T0, next_poll=T0 + timedelta(minutes=5), name="Wire")
    later = T0 + timedelta(minutes=1)
    assert await feeds.take_lease(URL, "Wire", "r2", later, 30) is None
    assert await feeds.take_lease(URL, "Wire", "r2", later, 30, due_only=False) is not None
    # r2 polls it now: even a `once` elsewhere leaves it alone until r2's lease runs out.
    soon = later + timedelta(seconds=10)
    assert await feeds.take_lease(URL, "Wire", "r1", soon, 30, due_only=False) is None


async def test_a_replica_starting_beside_another_leaves_the_feeds_it_polled_since(
    store: Store,
) -> None:
    """Two replicas started together both poll every feed at once; a feed the other one polled
    after this one started is not polled again, one polled before it started is."""
    feeds = store.feeds
    started = T0 + timedelta(seconds=5)
    assert await feeds.take_lease(URL, "Wire", "r1", T0 + timedelta(seconds=6), 30) is not None
    await feeds.record_success(
        URL, now=T0 + timedelta(seconds=6), next_poll=T0 + timedelta(minutes=5), name="Wire"
    )
    moment_later = T0 + timedelta(seconds=7)
    rush = {"due_only": False, "polled_before": started}
    assert await feeds.take_lease(URL, "Wire", "r2", moment_later, 30, **rush) is None
    later_start = {"due_only": False, "polled_before": T0 + timedelta(seconds=7)}
    assert await feeds.take_lease(URL, "Wire", "r2", moment_later, 30, **later_start) is not None


async def test_concurrent_replicas_take_one_lease(store_url: str) -> None:
    """Ten replicas asking at once on separate connections: exactly one gets the feed."""
    stores = [await open_store(store_url) for _ in range(3)]
    try:
        got = await asyncio.gather(
            *(stores[i % 3].feeds.take_lease(URL, "Wire", f"r{i}", T0, 30) for i in range(10))
        )
        assert sum(g is not None for g in got) == 1
    finally:
        for s in stores:
            await s.close()


async def test_replicas_beat_leave_and_are_forgotten(store: Store) -> None:
    reps = store.replicas
    await reps.beat("r1", "host-a", 101, T0)
    await reps.beat("r2", "host-b", 202, T0 + timedelta(seconds=5))
    await reps.beat("r1", "host-a", 101, T0 + timedelta(seconds=20))
    alive = await reps.alive(T0 + timedelta(seconds=30), lease=15)
    assert [(r.id, r.pid) for r in alive] == [("r1", 101)]
    assert alive[0].started_at == T0
    await store.feeds.take_lease(URL, "Wire", "r1", T0, 30)
    await reps.leave("r1")
    assert await reps.alive(T0 + timedelta(seconds=30), lease=60) == [
        r for r in await reps.alive(T0 + timedelta(seconds=30), lease=60) if r.id == "r2"
    ]
    # Its lease went with it: another replica takes the feed at once.
    assert await store.feeds.take_lease(URL, "Wire", "r2", T0 + timedelta(seconds=1), 30)
    assert await reps.forget_gone(T0 + timedelta(hours=1), keep=60) == 1


async def test_migrations_are_idempotent_and_listed(store: Store) -> None:
    assert await current(store.db) == head()
    assert await upgrade(store.db) == []
    revisions = await history(store.db)
    assert revisions[-1].current and all(r.applied for r in revisions)


async def test_replicas_starting_together_migrate_one_store(store_url: str) -> None:
    """Three processes' worth of stores opening a fresh database at once: one migrates, the
    others wait for it, and all agree on one identity."""
    stores = await asyncio.gather(*(open_store(store_url) for _ in range(3)))
    try:
        ids = {s.identity.id for s in stores if s.identity is not None}
        assert len(ids) == 1
    finally:
        for s in stores:
            await s.close()


async def test_a_new_sqlite_file_another_process_is_writing_is_waited_for(tmp_path: Path) -> None:
    """SQLite refuses the switch to WAL at once, busy handler or not, while another
    connection holds a write transaction on the file: the store waits for it instead."""
    file = tmp_path / "monitor.sqlite3"
    other = sqlite3.connect(file, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE elsewhere (x)")
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(1.0, lambda: other.execute("COMMIT"))
    release.start()
    try:
        store = await open_store(f"sqlite:///{file}")
        await store.close()
    finally:
        release.join()
        other.close()
    assert not release.is_alive()


async def test_an_unusable_store_says_what_to_do(tmp_path: Path) -> None:
    from monitor.errors import StoreError

    (tmp_path / "a-file").write_text("")
    with pytest.raises(StoreError, match="writable path"):
        await open_store(f"sqlite:///{tmp_path / 'a-file' / 'monitor.sqlite3'}")


async def test_a_replica_that_looked_before_another_wrote_the_identity_takes_that_one(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race of replicas starting together, made to happen: the second looked (no identity
    yet) before the first wrote one, and writes with an earlier clock. It must not write a
    second identity, nor return one the first does not have."""
    first, second = await open_store(store_url), await open_store(store_url)
    try:
        assert first.identity is not None
        looks: list[str] = []
        real_read = meta.read_identity

        async def read_once_empty(db: Database) -> StoreIdentity | None:
            looks.append("look")
            return None if len(looks) == 1 else await real_read(db)

        monkeypatch.setattr(meta, "read_identity", read_once_empty)
        got = await meta.ensure_identity(second.db, first.identity.created_at - timedelta(hours=1))
        assert got == first.identity
        rows = await second.db.execute("SELECT id FROM store_meta")
        assert [r[0] for r in rows] == [first.identity.id]
    finally:
        await first.close()
        await second.close()
