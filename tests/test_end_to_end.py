"""The whole service against real servers on 127.0.0.1: two outlets' feeds and article pages,
a Slack-Web-API-compatible server and an SMTP server. The service runs as a user runs it
(`monitor once -c FILE`, a separate process), twice, with a restart in between."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.servers import loopback, news
from tests.servers.http import FeedServer
from tests.servers.news import UNRELATED
from tests.servers.slack import SlackServer
from tests.servers.smtp import SmtpServer


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with SlackServer() as server:
        yield server


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    with SmtpServer(tmp_path, security="starttls") as server:
        yield server


def write_config(
    tmp_path: Path, outlets: FeedServer, slack: SlackServer, smtp: SmtpServer, store_url: str
) -> Path:
    email = {
        "type": "email",
        **{k: v for k, v in smtp.settings().items() if v is not None},
        "password_env": "TEST_SMTP_PASSWORD",
        "from": "alerts@example.org",
        "to": ["desk@example.org", "duty@example.org"],
    }
    doc = {
        "store": {"url": store_url},
        "http": {"listen": None},
        "network": loopback.NETWORK,
        "feeds": [
            {"name": "AP", "url": outlets.url("/ap/rss.xml")},
            {"name": "Newsweek", "url": outlets.url("/nw/rss.xml")},
        ],
        "notify": {
            "destinations": {
                "desk-slack": {
                    "type": "slack",
                    "channel": "#alerts",
                    "token_env": "TEST_SLACK_TOKEN",
                    "base_url": slack.url,
                },
                "desk-email": email,
            },
            "delivery": {"slack_pace": 0, "followup_cooldown": 0},
        },
    }
    path = tmp_path / "monitor.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def monitor(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        check=False,
    )


def test_two_outlets_one_event_one_alert_and_restart_keeps_it_one(
    tmp_path: Path, outlets: FeedServer, slack: SlackServer, smtp: SmtpServer, store_url: str
) -> None:
    config = write_config(tmp_path, outlets, slack, smtp, store_url)
    env = {"TEST_SLACK_TOKEN": slack.token, "TEST_SMTP_PASSWORD": smtp.password}

    first = monitor("once", "-c", str(config), env=env)
    assert first.returncode == 0, first.stderr
    assert "2 feeds" in first.stdout

    messages = slack.messages()
    assert len(messages) == 1, [m.get("text") for m in messages]
    alert = messages[0]
    shown = str(alert.get("text", "")) + str(alert.get("blocks", ""))
    assert "North Korea" in shown
    assert (
        outlets.url("/ap/nk-missile.html") in shown or outlets.url("/nw/nk-buildup.html") in shown
    )
    assert "AP" in shown or "Newsweek" in shown
    for title, _ in UNRELATED.values():
        assert title not in str(slack.calls)

    # The second outlet's report threads under the first alert and updates it.
    replies = slack.replies(alert["ts"])
    assert len(replies) == 1
    assert "also reported by" in replies[0]["text"].lower()
    assert slack.calls_to("chat.update"), "the first message is edited with the outlet count"

    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert "North Korea" in mail["Subject"]
    assert set(smtp.received[0].rcpt_tos) == {"desk@example.org", "duty@example.org"}
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    assert (
        "/ap/nk-missile.html" in body.get_content() or "/nw/nk-buildup.html" in body.get_content()
    )

    # A restart and another poll: the feeds answer 304, nothing new is alerted.
    second = monitor("once", "-c", str(config), env=env)
    assert second.returncode == 0, second.stderr
    assert len(slack.messages()) == 1
    assert len(slack.replies(alert["ts"])) == 1
    assert len(smtp.messages) == 1
    conditional = outlets.requests_to("/ap/rss.xml")[-1]
    assert conditional.headers.get("If-None-Match") == '"ap-1"'

    status = monitor("status", "-c", str(config), env=env)
    assert status.returncode == 0, status.stderr
    # The feeds are polled concurrently, so either outlet's report may open the event.
    assert re.search(
        r"missile_launch:north-korea:2022-01-05  2 outlets \((AP, Newsweek|Newsweek, AP)\)",
        status.stdout,
    ), status.stdout
    assert "sent 3, failed 0" in status.stdout  # Slack alert + Slack follow-up + email
    assert "AP: last poll" in status.stdout and "(304)" in status.stdout


def test_bad_config_never_starts(tmp_path: Path) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text("feeds:\n  - name: x\n    url: not-a-url\n    intervall: 5m\n")
    result = monitor("once", "-c", str(path), env={})
    assert result.returncode == 2
    assert f"{path}:3: feeds.0.url" in result.stderr
    assert "did you mean 'interval'" in result.stderr


def test_missing_secret_names_the_variable(tmp_path: Path) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(
        "notify:\n  destinations:\n    s:\n      type: slack\n      channel: '#a'\n"
        "      token_env: MONITOR_TEST_UNSET_TOKEN\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MONITOR_TEST_UNSET_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "check-config", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "MONITOR_TEST_UNSET_TOKEN" in result.stderr


def test_refused_token_fails_visibly_and_retry_delivers_once(
    tmp_path: Path, outlets: FeedServer, slack: SlackServer, smtp: SmtpServer
) -> None:
    store = f"sqlite:///{tmp_path / 'monitor.sqlite3'}"
    config = write_config(tmp_path, outlets, slack, smtp, store)
    env = {"TEST_SLACK_TOKEN": slack.token, "TEST_SMTP_PASSWORD": smtp.password}
    slack.fail("chat.postMessage", error="invalid_auth", times=2)

    first = monitor("once", "-c", str(config), env=env)
    assert first.returncode == 1, first.stderr  # an alert failed for good: `once` says so
    assert "alerts: 1 sent, 0 pending, 2 failed" in first.stdout
    assert f"to desk-slack failed: the Slack Web API at 127.0.0.1:{slack.port} answered" in (
        first.stderr
    )
    assert "error invalid_auth" in first.stderr
    assert slack.messages() == []
    assert len(smtp.messages) == 1  # one destination's refusal does not hold up the others

    listed = monitor("alerts", "-c", str(config), "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count("failed") >= 2
    assert "TEST_SLACK_TOKEN" in listed.stdout  # names the setting to fix
    assert slack.token not in listed.stdout + listed.stderr + first.stderr

    retried = monitor("alerts", "-c", str(config), "retry", "--all", env=env)
    assert retried.returncode == 0, retried.stderr
    assert "queued 2 failed alerts again" in retried.stdout

    again = monitor("once", "-c", str(config), env=env)
    assert again.returncode == 0, again.stderr
    (message,) = slack.messages()
    assert len(slack.replies(message["ts"])) == 1
    assert len(smtp.messages) == 1


def test_second_report_after_a_restart_threads_under_the_first_alert(
    tmp_path: Path, outlets: FeedServer, slack: SlackServer, smtp: SmtpServer
) -> None:
    store = f"sqlite:///{tmp_path / 'monitor.sqlite3'}"
    config = write_config(tmp_path, outlets, slack, smtp, store)
    env = {"TEST_SLACK_TOKEN": slack.token, "TEST_SMTP_PASSWORD": smtp.password}
    outlets.set("/nw/rss.xml", news.rss(outlets, "Newsweek", []))  # no story from it yet

    first = monitor("once", "-c", str(config), env=env)
    assert first.returncode == 0, first.stderr
    (alert,) = slack.messages()
    assert slack.replies(alert["ts"]) == []

    news.publish(outlets)  # the Newsweek rewrite appears; the service restarts and polls
    second = monitor("once", "-c", str(config), env=env)
    assert second.returncode == 0, second.stderr
    assert len(slack.messages()) == 1
    (reply,) = slack.replies(alert["ts"])
    assert "Newsweek" in reply["text"]
    (edit,) = slack.calls_to("chat.update")
    assert edit.params["ts"] == alert["ts"]
    assert "2 outlets" in str(edit.params)
    assert len(smtp.messages) == 1
