"""Store faults as the person running the service meets them: the real service on 127.0.0.1
with a real SQLite file that stops taking writes, vanishes, goes missing between runs, or is
damaged. /readyz says why, the log says it once, and nothing is re-sent by accident.

Tests run as root, where chmod does not stop a write; the store is made to refuse writes with
SQLite's own `PRAGMA query_only`, which fails every write as a read-only filesystem does."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.cli.run import serve
from monitor.config import Config, load
from monitor.errors import StoreError
from monitor.store import Store
from monitor.store.feeds import FeedState
from tests.running import capture, get, metric, wait_for, wait_ready
from tests.servers import loopback
from tests.servers.http import FeedServer

ROOT = Path(__file__).resolve().parents[1]


def _doc(tmp_path: Path, outlets: FeedServer) -> dict[str, object]:
    return {
        "store": {
            "url": f"sqlite:///{tmp_path / 'data' / 'monitor.sqlite3'}",
            "check_interval": 0.1,
        },
        "network": loopback.NETWORK,
        "polling": {"interval": 0.5, "min_interval": 0.2, "timeout": 5},
        "http": {"listen": "127.0.0.1:0"},
        "logging": {"format": "text"},
        "feeds": [
            {"name": "AP", "url": outlets.url("/ap/rss.xml")},
            {"name": "Newsweek", "url": outlets.url("/nw/rss.xml")},
        ],
    }


def _config(tmp_path: Path, outlets: FeedServer) -> Config:
    return load(json.dumps(_doc(tmp_path, outlets)), str(tmp_path / "monitor.yaml"))


async def query_only(store: Store, on: bool) -> None:
    """Turn SQLite's `query_only` on or off on the store's one connection, outside any
    transaction: the store begins each one with BEGIN IMMEDIATE, which query_only refuses."""
    async with store.db.engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection  # aiosqlite's
        assert driver is not None
        await driver.execute(f"PRAGMA query_only = {'ON' if on else 'OFF'}")


def _store_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "monitor.store.health"]


async def test_a_store_that_stops_taking_writes_is_not_ready_says_so_once_and_recovers(
    tmp_path: Path,
    outlets: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    parts = capture(monkeypatch)
    task = asyncio.create_task(serve(_config(tmp_path, outlets)))
    try:
        await wait_for(lambda: parts.ready)
        store = parts.service.store
        assert store is not None

        async def both_polled() -> bool:
            return len([s for s in await store.feeds.all() if s.last_success]) == 2

        await wait_for(both_polled)
        assert await wait_ready(parts, 200) == "ready\n"
        # A poll starts by writing: it takes the feed's lease. Count the polls whose write fails.
        refused: list[str] = []
        take_lease = store.feeds.take_lease

        async def counted(url: str, *args: Any, **kwargs: Any) -> FeedState | None:
            try:
                return await take_lease(url, *args, **kwargs)
            except StoreError:
                refused.append(url)
                raise

        monkeypatch.setattr(store.feeds, "take_lease", counted)

        with caplog.at_level(logging.INFO):
            await query_only(store, True)  # every write now fails
            body = await wait_ready(parts, 503)
            assert body.startswith("not ready: store\n")
            assert f"store: {store.file} refuses writes" in body
            assert "make the file, its folder and its filesystem writable" in body
            # the service keeps polling, and every poll's write fails, quietly
            ap = outlets.url("/ap/rss.xml")
            await wait_for(lambda: refused.count(ap) >= 4)
            _, page = await get(parts, "/metrics")
            assert metric(page, "monitor_store_writable") == 0
            assert metric(page, "monitor_store_faults_total", kind="read_only") >= 1

            await query_only(store, False)
            assert await wait_ready(parts, 200) == "ready\n"
            _, page = await get(parts, "/metrics")
            assert metric(page, "monitor_store_writable") == 1
            # and polls the feeds again
            polls = len(outlets.requests_to("/ap/rss.xml"))
            await wait_for(lambda: len(outlets.requests_to("/ap/rss.xml")) >= polls + 2)
    finally:
        parts.service.stop()
        await asyncio.wait_for(task, timeout=10)
    said = [(r.levelname, r.getMessage()) for r in _store_records(caplog)]
    assert [level for level, _ in said] == ["ERROR", "WARNING"], said  # one line per change
    assert "/readyz answers 503" in said[0][1] and "takes writes again" in said[1][1]
    assert not [r for r in caplog.records if r.exc_info], "no tracebacks for an expected fault"
    assert not [
        r for r in caplog.records if r.levelno >= logging.ERROR and r not in _store_records(caplog)
    ]


async def test_a_store_deleted_under_the_service_is_not_ready_and_logged_once(
    tmp_path: Path,
    outlets: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    parts = capture(monkeypatch)
    task = asyncio.create_task(serve(_config(tmp_path, outlets)))
    try:
        await wait_for(lambda: parts.ready)
        store = parts.service.store
        assert store is not None and store.file is not None
        await wait_ready(parts, 200)
        with caplog.at_level(logging.INFO):
            for f in store.file.parent.iterdir():  # `rm -rf data/*`
                f.unlink()
            body = await wait_ready(parts, 503)
            assert f"store: store file {store.file} was deleted" in body
            assert "restore the file from a backup" in body
            polls = len(outlets.requests_to("/ap/rss.xml"))
            await wait_for(lambda: len(outlets.requests_to("/ap/rss.xml")) >= polls + 3)
            assert (await wait_ready(parts, 503)) == body  # it does not heal by itself
    finally:
        parts.service.stop()
        await asyncio.wait_for(task, timeout=10)
    said = [r for r in _store_records(caplog)]
    assert len(said) == 1 and said[0].levelname == "ERROR"
    assert not [r for r in caplog.records if r.exc_info]


def monitor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )


def test_a_restart_on_a_missing_store_is_refused_until_new_store(
    tmp_path: Path, outlets: FeedServer
) -> None:
    doc = _doc(tmp_path, outlets)
    doc["http"] = {"listen": None}
    config = tmp_path / "monitor.yaml"
    config.write_text(yaml.safe_dump(doc))
    store = tmp_path / "data" / "monitor.sqlite3"

    first = monitor("once", "-c", str(config))  # a first run: no marker yet, it just works
    assert first.returncode == 0, first.stderr
    marker = json.loads((tmp_path / ".monitor-store").read_text())
    (old,) = marker["stores"].values()

    for f in store.parent.iterdir():
        f.unlink()
    for command in ("once", "run"):
        refused = monitor(command, "-c", str(config))
        assert refused.returncode == 2, refused.stderr
        assert f"store {store} is missing" in refused.stderr
        assert str(tmp_path / ".monitor-store") in refused.stderr
        assert "Restore the file from a backup" in refused.stderr
        assert "`monitor run --new-store` (or `monitor once --new-store`)" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert not store.exists(), "a refused start must not leave an empty store behind"

    accepted = monitor("once", "--new-store", "-c", str(config))
    assert accepted.returncode == 0, accepted.stderr
    assert "started on a new store" in accepted.stderr
    (new,) = json.loads((tmp_path / ".monitor-store").read_text())["stores"].values()
    assert new["id"] != old["id"]  # the new store is the known one now


def test_a_damaged_store_names_the_right_fix(tmp_path: Path) -> None:
    store = tmp_path / "monitor.sqlite3"
    store.write_bytes(b"an editor saved a text file over the store\n" * 100)
    config = tmp_path / "monitor.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "store": {"url": f"sqlite:///{store}"},
                "http": {"listen": None},
                "feeds": [{"name": "x", "url": "https://x.example/feed"}],
            }
        )
    )
    result = monitor("once", "-c", str(config))
    assert result.returncode == 2
    assert f"database {store} is damaged (file is not a database)" in result.stderr
    assert f"mv {store} {store}.damaged" in result.stderr
    assert "restore the latest backup" in result.stderr
    assert "writable path" not in result.stderr
    assert "Traceback" not in result.stderr
