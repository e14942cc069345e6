"""Config reload: a changed file is applied, a broken one refused while the old one runs."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from pathlib import Path

import pytest

from monitor.config import Config
from monitor.reload import ConfigWatcher

GOOD = "feeds:\n  - name: a\n    url: https://a.example/feed\n"
CHANGED = GOOD + "  - name: b\n    url: https://b.example/feed\n"
BROKEN = CHANGED + "  - name: c\n    url: ftp://c.example/feed\n    colour: red\n"


async def _until(predicate: object, timeout: float = 3.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if predicate():  # type: ignore[operator]
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached")


async def test_file_change_applies_and_broken_file_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(GOOD)
    applied: list[Config] = []
    watcher = ConfigWatcher(path, apply=applied.append, interval=0.05)
    watcher.start()
    try:
        path.write_text(CHANGED)
        await _until(lambda: applied)
        assert [f.name for f in applied[-1].feeds] == ["a", "b"]

        with caplog.at_level(logging.ERROR, logger="monitor.reload"):
            path.write_text(BROKEN)
            await _until(lambda: any("refused" in r.getMessage() for r in caplog.records))
        message = next(r.getMessage() for r in caplog.records if "refused" in r.getMessage())
        assert "still running the previous config" in message
        assert "feeds.2.url" in message and "unknown key 'colour'" in message
        assert len(applied) == 1  # the old config stays in force

        path.write_text(GOOD)
        await _until(lambda: len(applied) == 2)
        assert [f.name for f in applied[-1].feeds] == ["a"]
    finally:
        watcher.stop()


async def test_sighup_reloads(tmp_path: Path) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(GOOD)
    applied: list[Config] = []

    async def apply(cfg: Config) -> None:
        applied.append(cfg)

    watcher = ConfigWatcher(path, apply=apply, interval=60)
    watcher.start()
    try:
        os.kill(os.getpid(), signal.SIGHUP)
        await _until(lambda: applied)
        assert [f.name for f in applied[0].feeds] == ["a"]
    finally:
        watcher.stop()


async def test_config_the_service_cannot_apply_is_refused_cleanly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from monitor.errors import ConfigError

    path = tmp_path / "monitor.yaml"
    path.write_text(GOOD)

    def apply(new: Config) -> None:
        raise ConfigError("destination desk: set the environment variable DESK_TOKEN")

    watcher = ConfigWatcher(path, apply=apply, interval=60)
    with caplog.at_level(logging.ERROR, logger="monitor.reload"):
        assert await watcher.reload("test") is False
    (record,) = [r for r in caplog.records if r.name == "monitor.reload"]
    assert "refused" in record.getMessage() and "DESK_TOKEN" in record.getMessage()
    assert record.exc_info is None  # a message to act on, not a traceback


def _refusals(reason: str) -> float:
    from monitor import metrics

    return metrics.CONFIG_REFUSALS.labels(reason=reason)._value.get()


async def test_a_deleted_truncated_or_feedless_file_keeps_the_running_config(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(GOOD)
    applied: list[Config] = []
    watcher = ConfigWatcher(path, apply=applied.append, interval=0.05)
    before = {r: _refusals(r) for r in ("missing", "empty", "no_feeds")}
    watcher.start()
    try:
        with caplog.at_level(logging.INFO, logger="monitor.reload"):
            path.unlink()
            await _until(lambda: watcher.problem is not None)
            await asyncio.sleep(0.3)  # several more looks at the missing file
            assert f"config file {path} is gone" in (watcher.problem or "")

            path.write_text("")  # as `>` or an editor leaves it before writing
            await _until(lambda: "is empty" in (watcher.problem or ""))
            path.write_text("# the desk's config\n\n# feeds: later\n")
            await _until(lambda: _refusals("empty") == before["empty"] + 2)
            path.write_text("feeds: []\n")
            await _until(lambda: "no feeds" in (watcher.problem or ""))
            await asyncio.sleep(0.3)

            path.write_text(GOOD)  # back to what runs: nothing to apply, nothing wrong
            await _until(lambda: watcher.problem is None)
    finally:
        watcher.stop()
    assert applied == []  # the running config stayed in force throughout
    lines = [r.getMessage() for r in caplog.records if r.name == "monitor.reload"]
    assert sum("is gone (deleted or moved away)" in m for m in lines) == 1
    assert sum("can be read again" in m for m in lines) == 1
    refused = [m for m in lines if "refused" in m]
    assert len(refused) == 3, lines
    assert "the config file is empty" in refused[0] and "truncated" in refused[0]
    assert "no feeds: the service would watch nothing" in refused[2]
    assert all("still running the previous config" in m for m in refused)
    assert any("holds the running config again" in m for m in lines)
    assert all(r.exc_info is None for r in caplog.records)
    assert _refusals("missing") == before["missing"] + 1
    assert _refusals("no_feeds") == before["no_feeds"] + 1


async def test_a_config_path_that_cannot_be_read_is_said_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(GOOD)
    applied: list[Config] = []
    watcher = ConfigWatcher(path, apply=applied.append, interval=0.05)
    watcher.start()
    try:
        with caplog.at_level(logging.INFO, logger="monitor.reload"):
            path.unlink()
            path.mkdir()  # root reads any file, but not a folder where the file should be
            await _until(lambda: "cannot be read" in (watcher.problem or ""))
            await asyncio.sleep(0.3)
            path.rmdir()
            path.write_text(CHANGED)
            await _until(lambda: applied)
    finally:
        watcher.stop()
    assert watcher.problem is None
    lines = [r.getMessage() for r in caplog.records if r.name == "monitor.reload"]
    assert sum("cannot be read (Is a directory)" in m for m in lines) == 1, lines
    assert sum("can be read again" in m for m in lines) == 1, lines
