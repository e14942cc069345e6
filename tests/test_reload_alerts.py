"""Config changes never lose alerts. The real service on 127.0.0.1 with its config file, the
feed server and Slack-compatible servers: a truncated (empty) config and one that removes a
destination still owing alerts are refused while the old config runs, /readyz says so, and the
alerts wait until they can go out; `monitor alerts list|reroute|drop` decide about the rest."""

from __future__ import annotations

import asyncio
import logging
import re
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.cli import main as cli
from monitor.cli.run import serve
from monitor.config import load_file
from monitor.store import Store
from tests.running import Parts, capture, get, metric, wait_for, wait_ready
from tests.servers import loopback
from tests.servers.http import FeedServer
from tests.servers.slack import SlackServer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def desk() -> Iterator[SlackServer]:
    with SlackServer(token="xoxb-desk-token") as server:
        yield server


@pytest.fixture
def backup() -> Iterator[SlackServer]:
    with SlackServer(token="xoxb-backup-token") as server:
        yield server


def _destination(server: SlackServer, env: str) -> dict[str, Any]:
    return {"type": "slack", "channel": "C0ALERTS", "token_env": env, "base_url": server.url}


def _write(
    path: Path,
    outlets: FeedServer,
    destinations: dict[str, dict[str, Any]],
    *,
    backoff: float = 0.1,
) -> None:
    doc = {
        "store": {"url": f"sqlite:///{path.parent / 'monitor.sqlite3'}", "check_interval": 0.2},
        "network": loopback.NETWORK,
        "polling": {"interval": 1, "min_interval": 0.2, "timeout": 5},
        "http": {"listen": "127.0.0.1:0"},
        "logging": {"format": "text"},
        "feeds": [
            {"name": "AP", "url": outlets.url("/ap/rss.xml")},
            {"name": "Newsweek", "url": outlets.url("/nw/rss.xml")},
        ],
        "notify": {
            "destinations": destinations,
            "routes": [{"to": [next(iter(destinations))]}],
            "delivery": {
                "backoff": backoff,
                "max_backoff": backoff * 3,
                "max_attempts": 1000,
                "slack_pace": 0,
                "followup_cooldown": 0,
            },
        },
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


async def _owed(store: Store, destination: str) -> list[str]:
    return [r.alert.status for r in await store.outbox.owed_to(destination)]


async def _tried(store: Store, destination: str) -> bool:
    return any(r.alert.attempts for r in await store.outbox.owed_to(destination))


async def _until(predicate: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> None:
    """Wait until an async predicate holds (one that reads the store)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.05)


async def _none_owed(store: Store, destination: str) -> bool:
    return not await _owed(store, destination)


async def _failed(store: Store) -> int:
    return (await store.outbox.counts())["failed"]


async def _cli(argv: list[str]) -> int:
    """A `monitor` command beside the running service: in a thread, with its own event loop,
    as it would run in its own process."""
    return await asyncio.to_thread(cli, argv)


async def _start(parts: Parts, path: Path) -> tuple[asyncio.Task[None], Store]:
    task = asyncio.create_task(serve(load_file(path), config_file=str(path)))
    await wait_for(lambda: parts.ready)
    store = parts.service.store
    assert store is not None
    return task, store


async def test_an_empty_config_is_refused_and_pending_alerts_go_out_once_it_is_back(
    tmp_path: Path,
    outlets: FeedServer,
    desk: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("TEST_DESK_TOKEN", desk.token)
    path = tmp_path / "monitor.yaml"
    _write(path, outlets, {"desk-slack": _destination(desk, "TEST_DESK_TOKEN")})
    good = path.read_text()
    desk.down = True  # so that alerts are pending when the config is truncated
    parts = capture(monkeypatch)
    task, store = await _start(parts, path)
    try:
        await _until(lambda: _tried(store, "desk-slack"))
        _, before = await get(parts, "/metrics")
        with caplog.at_level(logging.INFO):
            path.write_text("")  # `> monitor.yaml`, or an editor, before the new text lands
            body = await wait_ready(parts, 503)
            assert body.startswith("not ready: config\n")
            assert f"config: {path} refused, still running the previous config" in body
            assert "the config file is empty" in body
            _, after = await get(parts, "/metrics")
            assert metric(after, "monitor_config_refusals_total", reason="empty") == (
                metric(before, "monitor_config_refusals_total", reason="empty") + 1
            )
            assert [f.name for f in parts.service.feeds()] == ["AP", "Newsweek"]
            assert set(parts.service.deliverer.notifiers) == {"desk-slack"}
            assert set(await _owed(store, "desk-slack")) <= {"pending", "unknown"}
            assert await _failed(store) == 0

            path.write_text(good)  # the editor finishes writing
            assert await wait_ready(parts, 200) == "ready\n"
            desk.down = False
            await _until(lambda: _none_owed(store, "desk-slack"))
            assert await _failed(store) == 0
    finally:
        parts.service.stop()
        await asyncio.wait_for(task, timeout=10)
    (message,) = desk.messages()
    assert "North Korea" in str(message)
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1 and refusals[0].exc_info is None


def monitor(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, **env},
        check=False,
    )


async def test_removing_a_destination_that_owes_alerts_is_refused_until_they_are_rerouted(
    tmp_path: Path,
    outlets: FeedServer,
    desk: SlackServer,
    backup: SlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TEST_DESK_TOKEN", desk.token)
    monkeypatch.setenv("TEST_BACKUP_TOKEN", backup.token)
    path = tmp_path / "monitor.yaml"
    both = {
        "desk-slack": _destination(desk, "TEST_DESK_TOKEN"),
        "backup-slack": _destination(backup, "TEST_BACKUP_TOKEN"),
    }
    _write(path, outlets, both)
    desk.down = True
    parts = capture(monkeypatch)
    task, store = await _start(parts, path)
    try:
        await _until(lambda: _tried(store, "desk-slack"))
        _, before = await get(parts, "/metrics")
        _write(path, outlets, {"backup-slack": both["backup-slack"]})  # desk-slack removed
        body = await wait_ready(parts, 503)
        assert "removes destination desk-slack, which still owes" in body
        assert "monitor alerts reroute --destination desk-slack --to NAME" in body
        _, after = await get(parts, "/metrics")
        refused = {"reason": "pending_alerts"}
        assert metric(after, "monitor_config_refusals_total", **refused) == (
            metric(before, "monitor_config_refusals_total", **refused) + 1
        )
        assert set(parts.service.deliverer.notifiers) == {"desk-slack", "backup-slack"}
        assert await _owed(store, "desk-slack") and await _failed(store) == 0

        capsys.readouterr()
        assert await _cli(["alerts", "-c", str(path), "reroute", "--to", "backup-slack"]) == 2
        assert "give alert ids or --destination NAME" in capsys.readouterr().err
        assert await _cli(["alerts", "-c", str(path), "reroute", "--destination", "desk-slack",
                           "--to", "desk-slack"]) == 2  # fmt: skip
        err = capsys.readouterr().err
        assert f"'desk-slack' is not a destination in {path} (destinations: backup-slack)" in err
        assert await _cli(["alerts", "-c", str(path), "reroute", "--destination", "desk-slack",
                           "--to", "backup-slack"]) == 0  # fmt: skip
        assert re.search(r"rerouted \d+ alerts? to backup-slack", capsys.readouterr().out)
        await wait_for(lambda: bool(backup.messages()))  # the running service sends them there

        path.write_text(path.read_text())  # "then save the file again": now it is accepted
        assert await wait_ready(parts, 200) == "ready\n"
        assert set(parts.service.deliverer.notifiers) == {"backup-slack"}
        assert await _failed(store) == 0
    finally:
        parts.service.stop()
        await asyncio.wait_for(task, timeout=10)
    assert desk.messages() == []
    assert len(backup.messages()) == 1


def test_alerts_list_reroute_and_drop_end_to_end(
    tmp_path: Path,
    outlets: FeedServer,
    desk: SlackServer,
    backup: SlackServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = {"TEST_DESK_TOKEN": desk.token, "TEST_BACKUP_TOKEN": backup.token}
    path = tmp_path / "monitor.yaml"
    both = {
        "desk-slack": _destination(desk, "TEST_DESK_TOKEN"),
        "backup-slack": _destination(backup, "TEST_BACKUP_TOKEN"),
    }
    _write(path, outlets, both, backoff=600)
    desk.down = True
    first = monitor("once", "-c", str(path), env=env)
    assert first.returncode == 0, first.stderr
    _write(path, outlets, {"backup-slack": both["backup-slack"]})  # a restart without desk-slack

    assert cli(["alerts", "-c", str(path), "list"]) == 0
    listed = capsys.readouterr().out
    new = re.search(r"^(a\w{24})  pending .* desk-slack\s+new ", listed, re.M)
    followup = re.search(r"^(a\w{24})  pending .* desk-slack\s+followup ", listed, re.M)
    assert new and followup, listed
    assert listed.count("waiting: destination desk-slack not in the config;") == 2
    assert "`monitor alerts reroute --destination desk-slack --to NAME`" in listed

    assert cli(["alerts", "-c", str(path), "reroute", new[1], "--to", "backup-slack"]) == 0
    assert "rerouted 1 alert to backup-slack" in capsys.readouterr().out
    second = monitor("once", "-c", str(path), env=env)
    assert second.returncode == 0, second.stderr
    assert "1 alert waits for destination 'desk-slack'" in second.stderr  # the follow-up
    (message,) = backup.messages()
    assert "North Korea" in str(message)

    assert cli(["alerts", "-c", str(path), "drop", followup[1], "a-no-such-alert"]) == 1
    out, err = capsys.readouterr()
    assert "dropped 1 alert" in out and "a-no-such-alert: no such alert" in err
    assert cli(["alerts", "-c", str(path), "list", "--all"]) == 0
    listed = capsys.readouterr().out
    assert listed.startswith("pending: 0, unknown: 0, sent: 1, failed: 0, dropped: 1")
    assert re.search(rf"^{followup[1]}  dropped .*\n    dropped by hand on ", listed, re.M)
    assert "waiting:" not in listed
    assert desk.messages() == []
