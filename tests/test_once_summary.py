"""The one-line pass summary of `monitor once` (printed) and `monitor run` (logged), and the exit
code of `once` when an alert fails for good: the real commands against the outlets' feeds and a
Slack-compatible server on 127.0.0.1."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.servers import loopback
from tests.servers.http import FeedServer
from tests.servers.slack import SlackServer

SUMMARY = re.compile(
    r"(\d+) feeds? polled \((\d+) failed\), (\d+) new items?, (\d+) detections?, "
    r"(\d+) events? opened; alerts: (\d+) sent, (\d+) pending, (\d+) failed"
)


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with SlackServer() as server:
        yield server


def write_config(
    tmp_path: Path, feeds: list[dict[str, str]], slack: SlackServer, **extra: Any
) -> Path:
    doc = {
        "store": {"url": f"sqlite:///{tmp_path / 'monitor.sqlite3'}"},
        "http": {"listen": None},
        "network": loopback.NETWORK,
        "feeds": feeds,
        "notify": {
            "destinations": {
                "desk-slack": {
                    "type": "slack",
                    "channel": "C0ALERTS",
                    "token_env": "T_SLACK",
                    "base_url": slack.url,
                }
            },
            "delivery": {"slack_pace": 0, "followup_cooldown": 0},
        },
        **extra,
    }
    path = tmp_path / "monitor.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def two_outlets(outlets: FeedServer) -> list[dict[str, str]]:
    return [
        {"name": "AP", "url": outlets.url("/ap/rss.xml")},
        {"name": "Newsweek", "url": outlets.url("/nw/rss.xml")},
    ]


def once(config: Path, slack: SlackServer) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", "once", "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "T_SLACK": slack.token},
        check=False,
    )


def counts(stdout: str) -> tuple[int, ...]:
    (line,) = [x for x in stdout.splitlines() if x.startswith("pass: ")]
    found = SUMMARY.fullmatch(line.removeprefix("pass: "))
    assert found, line
    return tuple(int(n) for n in found.groups())


def test_once_prints_what_the_pass_did_and_a_second_pass_did_nothing(
    tmp_path: Path, outlets: FeedServer, slack: SlackServer
) -> None:
    config = write_config(tmp_path, two_outlets(outlets), slack)
    first = once(config, slack)
    assert first.returncode == 0, first.stderr
    feeds, failed, new, detections, events, sent, pending, lost = counts(first.stdout)
    assert (feeds, failed, detections, events) == (2, 0, 2, 1)
    assert new >= detections  # the unrelated stories are new items too
    assert (sent, pending, lost) == (2, 0, 0)  # the alert and its follow-up
    assert len(slack.messages()) == 1

    second = once(config, slack)
    assert second.returncode == 0, second.stderr
    assert counts(second.stdout) == (2, 0, 0, 0, 0, 0, 0, 0)


def test_once_reports_a_feed_failure_and_pending_alerts_but_exits_0(
    tmp_path: Path, outlets: FeedServer, slack: SlackServer
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    feeds = [*two_outlets(outlets), {"name": "Gone", "url": f"http://127.0.0.1:{closed}/rss"}]
    config = write_config(tmp_path, feeds, slack)
    slack.down = True  # an outage: retried later, not failed
    result = once(config, slack)
    assert result.returncode == 0, result.stderr
    assert counts(result.stdout)[:2] == (3, 1)
    assert counts(result.stdout)[5:] == (0, 2, 0)
    assert "\n  feed Gone failed: " in result.stdout
    assert re.search(
        r"^  alert a\w+ to desk-slack waits for a retry: the Slack Web API at "
        rf"127\.0\.0\.1:{slack.port} answered chat\.postMessage with error service_unavailable "
        r"\(HTTP 503\)",
        result.stdout,
        re.M,
    ), result.stdout


def test_once_exits_1_naming_the_alert_that_failed_and_why(
    tmp_path: Path, outlets: FeedServer, slack: SlackServer
) -> None:
    config = write_config(tmp_path, two_outlets(outlets)[:1], slack)
    slack.fail("chat.postMessage", error="channel_not_found")
    result = once(config, slack)
    assert result.returncode == 1
    assert counts(result.stdout)[5:] == (0, 0, 1)
    assert re.search(
        r"^monitor: alert a\w+ \(North Korea fires ballistic missile into sea, US military "
        rf"says\) to desk-slack failed: the Slack Web API at 127\.0\.0\.1:{slack.port} answered "
        r"chat\.postMessage with error channel_not_found \(HTTP 200\); check "
        r"notify\.destinations\.desk-slack\.channel",
        result.stderr,
        re.M,
    ), result.stderr
    assert "`monitor alerts retry ID`" in result.stderr


def test_run_logs_a_summary_when_every_feed_has_been_polled(
    tmp_path: Path, outlets: FeedServer, slack: SlackServer
) -> None:
    config = write_config(
        tmp_path, two_outlets(outlets), slack, logging={"level": "info", "format": "text"}
    )
    lines: list[str] = []
    with subprocess.Popen(
        [sys.executable, "-m", "monitor", "run", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "T_SLACK": slack.token},
    ) as proc:

        def read() -> None:
            for x in proc.stderr or ():
                lines.append(x)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            deadline = time.monotonic() + 60
            while not any("pass 1: " in x for x in lines) and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
            reader.join(timeout=5)
    (line,) = [x for x in lines if "pass 1: " in x]
    found = SUMMARY.search(line)
    assert found, line
    feeds, failed, _, detections, events, *_ = (int(n) for n in found.groups())
    assert (feeds, failed, detections, events) == (2, 0, 2, 1)
    assert " monitor.summary " in line and "stage=pass" in line and "feeds_polled=2" in line
    assert proc.returncode == 0
