"""`monitor test-alert` as a user runs it, against real Slack-compatible, SMTP and webhook
servers on 127.0.0.1: a marked test message arrives at each destination, the command says
where (for Slack with the message's link), and nothing is recorded in the store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.servers import loopback
from tests.servers.http import FeedServer
from tests.servers.slack import SlackServer
from tests.servers.smtp import SmtpServer

NOTE = "This is a test alert from monitor (`monitor test-alert`)"


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with SlackServer() as server:
        yield server


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    with SmtpServer(tmp_path, security="starttls") as server:
        yield server


def monitor(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        check=False,
    )


def write_config(
    tmp_path: Path, slack: SlackServer, smtp: SmtpServer, **extra: Any
) -> tuple[Path, dict[str, str]]:
    email = {k: v for k, v in smtp.settings().items() if v is not None}
    doc = {
        "store": {"url": f"sqlite:///{tmp_path / 'monitor.sqlite3'}"},
        "http": {"listen": None},
        "feeds": [{"name": "Wire", "url": "https://wire.example/rss.xml"}],
        "notify": {
            "destinations": {
                "desk-slack": {"type": "slack", "channel": "#alerts", "token_env": "T_SLACK",
                               "base_url": slack.url},
                "desk-mail": {"type": "email", **email, "password_env": "T_PW",
                              "from": "alerts@example.org", "to": ["desk@example.org"]},
                "siem": {"type": "webhook", "url": slack.webhook_url, "secret_env": "T_HMAC"},
            },
            "delivery": {"slack_pace": 0, "followup_cooldown": 0},
        },
        **extra,
    }  # fmt: skip
    path = tmp_path / "monitor.yaml"
    path.write_text(yaml.safe_dump(doc))
    env = {"T_SLACK": slack.token, "T_PW": smtp.password, "T_HMAC": "hmac-secret-value"}
    return path, env


def test_sends_a_marked_test_to_every_destination_and_says_where(
    tmp_path: Path, slack: SlackServer, smtp: SmtpServer
) -> None:
    config, env = write_config(tmp_path, slack, smtp)
    result = monitor("test-alert", "-c", str(config), env=env)
    assert result.returncode == 0, result.stderr

    (message,) = slack.messages()
    header = message["blocks"][0]["text"]["text"]
    assert header == "[TEST] North Korea fires ballistic missile into sea, US military says"
    assert message["text"].startswith("[TEST] ")
    assert NOTE in json.dumps(message["blocks"])
    link = slack.permalink(message["ts"])
    api = f"the Slack Web API at 127.0.0.1:{slack.port}"
    assert f"desk-slack: sent: posted to channel C0ALERTS by {api}: {link}\n" in result.stdout
    assert slack.calls_to("chat.getPermalink")

    (mail,) = smtp.messages
    assert (
        mail["Subject"] == "[TEST] North Korea fires ballistic missile into sea, US military says"
    )
    body = mail.get_body(("plain",))
    assert body is not None and NOTE in body.get_content()
    assert "Why it matched:" in body.get_content()  # rendered as a real alert is
    server = f"the SMTP server 127.0.0.1:{smtp.port} (STARTTLS)"
    assert f"desk-mail: sent: mailed to desk@example.org through {server}" in result.stdout
    assert f"Message-ID {mail['Message-ID']}" in result.stdout

    (post,) = slack.webhook_posts
    assert post["test"] is True and post["article"]["headline"].startswith("[TEST] ")
    assert post["event"]["actor"] == "north-korea" and post["event"]["date"] == "2022-01-05"
    assert "siem: sent: delivered to the webhook at 127.0.0.1:" in result.stdout

    assert not (tmp_path / "monitor.sqlite3").exists(), "a test alert never touches the store"


def test_link_is_built_from_the_ts_when_the_server_has_no_permalink(
    tmp_path: Path, slack: SlackServer, smtp: SmtpServer
) -> None:
    config, env = write_config(tmp_path, slack, smtp)
    slack.fail("chat.getPermalink", error="unknown_method")
    result = monitor("test-alert", "desk-slack", "-c", str(config), env=env)
    assert result.returncode == 0, result.stderr
    (message,) = slack.messages()
    assert f"/archives/C0ALERTS/p{message['ts'].replace('.', '')}" in result.stdout
    assert slack.permalink(message["ts"]) in result.stdout  # workspace URL from auth.test
    assert smtp.messages == [] and slack.webhook_posts == []  # only the one named
    assert result.stdout.count("\n") == 1


def test_a_refused_send_fails_with_the_reason_and_the_others_still_go(
    tmp_path: Path, slack: SlackServer, smtp: SmtpServer
) -> None:
    config, env = write_config(tmp_path, slack, smtp)
    slack.fail("chat.postMessage", error="not_in_channel")
    result = monitor("test-alert", "-c", str(config), env=env)
    assert result.returncode == 1
    assert (
        f"desk-slack: FAILED: the Slack Web API at 127.0.0.1:{slack.port} answered "
        "chat.postMessage with error not_in_channel (HTTP 200); check "
        "notify.destinations.desk-slack.channel"
    ) in result.stdout
    assert "desk-mail: sent:" in result.stdout and "siem: sent:" in result.stdout
    assert len(smtp.messages) == 1
    assert slack.token not in result.stdout + result.stderr


def test_an_unknown_destination_names_the_known_ones(
    tmp_path: Path, slack: SlackServer, smtp: SmtpServer
) -> None:
    config, env = write_config(tmp_path, slack, smtp)
    result = monitor("test-alert", "desk-slak", "-c", str(config), env=env)
    assert result.returncode == 2
    assert (
        "no destination 'desk-slak' under notify.destinations (destinations: desk-mail, "
        "desk-slack, siem)"
    ) in result.stderr
    assert slack.calls == [] and smtp.messages == []


def test_a_test_alert_is_never_the_events_alert(
    tmp_path: Path, slack: SlackServer, smtp: SmtpServer, outlets: FeedServer
) -> None:
    config, env = write_config(
        tmp_path,
        slack,
        smtp,
        network=loopback.NETWORK,
        feeds=[{"name": "AP", "url": outlets.url("/ap/rss.xml")}],
    )
    assert monitor("test-alert", "desk-slack", "-c", str(config), env=env).returncode == 0
    once = monitor("once", "-c", str(config), env=env)
    assert once.returncode == 0, once.stderr
    test, real = slack.messages()
    assert test["text"].startswith("[TEST] ")
    assert real["text"].startswith("North Korea fires ballistic missile")
    assert slack.replies(test["ts"]) == []  # the real event did not thread under the test
