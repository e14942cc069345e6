"""The store marker: a config's first run just works; a store that went missing or was swapped
is refused with what to do; --new-store (new_store=True) accepts the new one."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from monitor.config import Config, load
from monitor.errors import StoreError
from monitor.store.marker import MARKER_NAME, marker_path, open_checked, open_existing


def _config(folder: Path, store: Path, **store_extra: object) -> Config:
    doc = {"store": {"url": f"sqlite:///{store}", **store_extra}}
    return load(json.dumps(doc), str(folder / "monitor.yaml"))


def _recorded(marker: Path) -> dict[str, dict[str, str]]:
    stores: dict[str, dict[str, str]] = json.loads(marker.read_text())["stores"]
    return stores


async def test_first_run_records_the_store_and_a_restart_accepts_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = _config(tmp_path, tmp_path / "data" / "monitor.sqlite3")
    assert marker_path(cfg) == tmp_path / MARKER_NAME
    first = await open_checked(cfg)
    assert first.identity is not None
    await first.close()
    recorded = _recorded(tmp_path / MARKER_NAME)
    key = f"sqlite:///{(tmp_path / 'data' / 'monitor.sqlite3').resolve()}"
    assert recorded[key]["id"] == first.identity.id

    written = (tmp_path / MARKER_NAME).stat().st_mtime_ns
    with caplog.at_level(logging.INFO, logger="monitor.store"):
        again = await open_checked(cfg)
    await again.close()
    assert again.identity == first.identity
    assert caplog.records == []  # a restart on the known store is silent...
    assert (tmp_path / MARKER_NAME).stat().st_mtime_ns == written  # ...and writes nothing


async def test_a_missing_store_is_refused_until_new_store(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = tmp_path / "data" / "monitor.sqlite3"
    cfg = _config(tmp_path, store)
    old = await open_checked(cfg)
    await old.close()
    for f in store.parent.iterdir():
        f.unlink()

    with pytest.raises(StoreError) as refused:
        await open_checked(cfg)
    message = str(refused.value)
    assert f"store {store} is missing" in message
    assert str(tmp_path / MARKER_NAME) in message
    assert "Restore the file from a backup" in message
    assert "monitor run --new-store" in message and "monitor once --new-store" in message
    assert not store.exists(), "refusing must not create an empty store"

    with caplog.at_level(logging.WARNING, logger="monitor.store.marker"):
        new = await open_checked(cfg, new_store=True)
    await new.close()
    assert new.identity is not None and old.identity is not None
    assert new.identity.id != old.identity.id
    assert "started on a new store" in caplog.text
    (entry,) = _recorded(tmp_path / MARKER_NAME).values()
    assert entry["id"] == new.identity.id
    await (await open_checked(cfg)).close()  # the new store is now the known one


async def test_another_store_in_its_place_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "monitor.sqlite3"
    cfg = _config(tmp_path, store)
    await (await open_checked(cfg)).close()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    other = _config(elsewhere, elsewhere / "monitor.sqlite3")
    await (await open_checked(other)).close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    (elsewhere / "monitor.sqlite3").rename(store)

    with pytest.raises(StoreError, match=r"is another store \(created .*, id \w+\), but"):
        await open_checked(cfg)
    with pytest.raises(StoreError, match="is another store"):
        await open_existing(cfg)  # `monitor alerts` would act on the wrong outbox
    await (await open_checked(cfg, new_store=True)).close()


async def test_the_marker_can_live_elsewhere_and_a_demo_config_has_none(tmp_path: Path) -> None:
    marker = tmp_path / "state" / "monitor-store.json"
    marker.parent.mkdir()
    cfg = _config(tmp_path, tmp_path / "monitor.sqlite3", marker=str(marker))
    await (await open_checked(cfg)).close()
    assert marker.exists() and not (tmp_path / MARKER_NAME).exists()
    demo = load(json.dumps({"store": {"url": f"sqlite:///{tmp_path / 'd.sqlite3'}"}}), "<demo>")
    assert marker_path(demo) is None
    await (await open_checked(demo)).close()


async def test_commands_that_read_the_store_never_create_one(tmp_path: Path) -> None:
    store = tmp_path / "monitor.sqlite3"
    with pytest.raises(StoreError, match=f"store {store} does not exist"):
        await open_existing(_config(tmp_path, store))
    assert not store.exists()


async def test_a_marker_that_cannot_be_written_is_a_warning_not_a_failure(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the marker's folder should be\n")
    cfg = _config(tmp_path, tmp_path / "monitor.sqlite3", marker=str(blocked / "marker.json"))
    with caplog.at_level(logging.WARNING, logger="monitor.store.marker"):
        await (await open_checked(cfg)).close()
    assert "cannot write the store marker" in caplog.text
    assert "set store.marker to a writable path" in caplog.text
