"""Store health on real SQLite files: writes that fail, a file deleted or replaced under the
service, and what the person running it reads (one log line per change, the fix, no traceback).

Tests run as root, so chmod does not stop a write: the store is made to refuse writes the way
SQLite itself does, with `PRAGMA query_only` (SQLITE_READONLY, as on a read-only filesystem) and
`PRAGMA max_page_count` (SQLITE_FULL, "database or disk is full", as on a full disk)."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor import metrics
from monitor.errors import StoreError
from monitor.store import Store, open_store
from monitor.store.faults import classify
from monitor.store.health import StoreHealth
from tests.notify.conftest import make_alert

NOW = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(str(tmp_path / "monitor.sqlite3"))
    yield opened
    await opened.close()


async def query_only(store: Store, on: bool) -> None:
    """Turn SQLite's `query_only` on or off on the store's one connection, outside any
    transaction: the store begins each one with BEGIN IMMEDIATE, which query_only refuses."""
    async with store.db.engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection  # aiosqlite's
        assert driver is not None
        await driver.execute(f"PRAGMA query_only = {'ON' if on else 'OFF'}")


def _faults(kind: str) -> float:
    return metrics.STORE_FAULTS.labels(kind=kind)._value.get()


async def _write(store: Store, n: int) -> StoreError:
    """Enqueue alerts until one write fails; return that failure."""
    for i in range(n):
        try:
            await store.outbox.enqueue(make_alert(f"a{i:024d}", headline="x" * 2000), NOW)
        except StoreError as exc:
            return exc
    raise AssertionError(f"{n} writes all succeeded")


def _health_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "monitor.store.health"]


async def test_a_store_that_refuses_writes_is_one_fault_until_writes_work_again(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    health = StoreHealth(store, interval=60)
    assert await health.check() is None and health.reason == ""
    before = _faults("read_only")

    await query_only(store, True)
    with caplog.at_level(logging.INFO, logger="monitor.store.health"):
        for _ in range(5):  # the service keeps trying: polls, deliveries, checks
            failure = await _write(store, 1)
            health.failed(failure)
            fault = await health.check()
        assert fault is not None and fault.kind == "read_only"
        assert str(store.file) in health.reason
        assert "refuses writes" in health.reason and "writable" in health.reason
        assert metrics.STORE_WRITABLE._value.get() == 0

        await query_only(store, False)
        health.failed(failure)  # the probe will succeed, but another write failed meanwhile...
        assert await health.check() is not None  # ...so no flapping: not healthy yet
        assert await health.check() is None  # a quiet check with a successful write: healthy
    records = _health_records(caplog)
    assert [r.levelname for r in records] == ["ERROR", "WARNING"]  # one line per change
    assert "/readyz answers 503" in records[0].getMessage()
    assert "takes writes again" in records[1].getMessage()
    assert all(r.exc_info is None for r in records)
    assert _faults("read_only") == before + 1
    assert metrics.STORE_WRITABLE._value.get() == 1


async def test_a_full_disk_is_named_and_says_what_to_do(store: Store) -> None:
    (pages,) = await store.db.one("PRAGMA page_count") or (0,)
    await store.db.execute(
        f"PRAGMA max_page_count = {int(pages)}"
    )  # no room to grow, as on a full disk
    exc = await _write(store, 200)
    fault = classify(exc, str(store.file))
    assert fault.kind == "full"
    assert "disk is full" in fault.reason and "free space" in fault.reason
    health = StoreHealth(store, interval=60)
    health.failed(exc)
    assert health.fault is not None and health.fault.kind == "full"


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def test_a_deleted_store_file_is_a_fault_that_names_the_file(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    health = StoreHealth(store, interval=60)
    assert store.file is not None
    _remove(store.file)
    with caplog.at_level(logging.INFO, logger="monitor.store.health"):
        for _ in range(3):
            fault = await health.check()
    assert fault is not None and fault.kind == "deleted"
    assert f"store file {store.file} was deleted" in health.reason
    assert "restore the file from a backup" in health.reason
    await store.outbox.enqueue(make_alert(), NOW)  # writes "work", into a file no one can see...
    assert await health.check() is not None  # ...so the fault stays
    assert len(_health_records(caplog)) == 1


async def test_a_replaced_store_file_is_a_fault(store: Store, tmp_path: Path) -> None:
    health = StoreHealth(store, interval=60)
    assert store.file is not None
    other = await open_store(str(tmp_path / "other.sqlite3"))
    await other.close()
    os.replace(tmp_path / "other.sqlite3", store.file)
    fault = await health.check()
    assert fault is not None and fault.kind == "replaced"
    assert "Restart the service" in fault.reason


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(
            lambda data: b"this is not a database, it is a text file\n" * 200, id="not-a-db"
        ),
        pytest.param(lambda data: data[:100] + b"\x5a" * 3996 + data[4096:], id="malformed"),
    ],
)
async def test_a_damaged_store_names_the_right_fix(tmp_path: Path, damage: object) -> None:
    path = tmp_path / "monitor.sqlite3"
    await (await open_store(str(path))).close()
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    with pytest.raises(StoreError) as caught:
        await open_store(str(path))
    message = str(caught.value)
    assert f"database {path} is damaged" in message
    assert f"mv {path} {path}.damaged" in message and "restore the latest backup" in message
    assert "--new-store" in message
    assert "writable path" not in message
