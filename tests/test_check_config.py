"""`monitor check-config` as a user runs it: secret shapes, -c, and --online against real
Slack-compatible and SMTP servers on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.servers.slack import SlackServer
from tests.servers.smtp import SmtpServer

GOOD_TOKEN = "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
FEEDS = [{"name": "Wire", "url": "https://wire.example/rss.xml"}]


def monitor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


def write(tmp_path: Path, destinations: dict[str, Any]) -> Path:
    path = tmp_path / "monitor.yaml"
    path.write_text(yaml.safe_dump({"feeds": FEEDS, "notify": {"destinations": destinations}}))
    return path


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with SlackServer() as server:
        yield server


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    with SmtpServer(tmp_path, security="starttls") as server:
        yield server


@pytest.mark.parametrize(
    ("value", "said"),
    [
        pytest.param("not-a-token", "Slack bot tokens start with xoxb-", id="not-a-token"),
        pytest.param("xoxe-1-abcdefghijklmnop", "it is a refresh token", id="refresh-token"),
    ],
)
def test_a_token_not_shaped_like_a_slack_token_is_refused(
    tmp_path: Path, value: str, said: str
) -> None:
    path = write(tmp_path, {"desk": {"type": "slack", "channel": "C0123", "token_env": "T_X"}})
    result = monitor("check-config", "-c", str(path), env={"T_X": value})
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"monitor: {path}: notify.destinations.desk: the token in the variable T_X is not a "
        "Slack bot token: "
    )
    assert said in result.stderr
    assert "copy the Bot User OAuth Token (xoxb-…)" in result.stderr
    assert value not in result.stderr + result.stdout
    assert "ok:" not in result.stdout


def test_a_slack_shaped_token_and_a_compatible_servers_token_pass(
    tmp_path: Path, slack: SlackServer
) -> None:
    path = write(
        tmp_path,
        {
            "desk": {"type": "slack", "channel": "C0123", "token_env": "T_DESK"},
            "lab": {"type": "slack", "channel": "C0ALERTS", "token_env": "T_LAB",
                    "base_url": slack.url},
        },
    )  # fmt: skip
    result = monitor("check-config", str(path), env={"T_DESK": GOOD_TOKEN, "T_LAB": "lab-token"})
    assert result.returncode == 0, result.stderr
    assert f"{path}: ok: 1 feeds (1 enabled)" in result.stdout
    assert "destinations: desk, lab" in result.stdout
    assert slack.calls == []  # offline: nothing is asked


@pytest.mark.parametrize(
    ("url", "code", "said"),
    [
        pytest.param("https://hooks.slack.com/services/T0123ABC", 2, "is not usable", id="cut"),
        pytest.param("xoxb-pasted-the-wrong-secret-here", 2, "is not a URL", id="token"),
        pytest.param(
            "https://hooks.slack.com/services/T0123ABC/B0456DEF/AbCdEfGh12345678", 0, "ok:",
            id="slack",
        ),
    ],
)  # fmt: skip
def test_slack_webhook_url_must_be_shaped_like_one(
    tmp_path: Path, url: str, code: int, said: str
) -> None:
    path = write(tmp_path, {"hook": {"type": "slack_webhook", "url_env": "T_HOOK"}})
    result = monitor("check-config", "-c", str(path), env={"T_HOOK": url})
    assert result.returncode == code, result.stderr
    assert said in result.stdout + result.stderr
    if code:
        assert "notify.destinations.hook: the URL in the variable T_HOOK" in result.stderr
        assert "Incoming Webhooks page" in result.stderr
        assert "T0123ABC" not in result.stderr and "pasted" not in result.stderr


def test_config_given_twice_differently_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, {})
    result = monitor("check-config", str(path), "-c", str(tmp_path / "other.yaml"))
    assert result.returncode == 2
    assert "two config files given" in result.stderr


def test_online_checks_each_destination_without_sending(
    tmp_path: Path, slack: SlackServer, smtp: SmtpServer
) -> None:
    email = {k: v for k, v in smtp.settings().items() if v is not None}
    path = write(
        tmp_path,
        {
            "desk-slack": {"type": "slack", "channel": "C0ALERTS", "token_env": "T_SLACK",
                           "base_url": slack.url},
            "desk-mail": {"type": "email", **email, "password_env": "T_PW",
                          "from": "alerts@example.org", "to": ["desk@example.org"]},
        },
    )  # fmt: skip
    env = {"T_SLACK": slack.token, "T_PW": smtp.password}
    good = monitor("check-config", "--online", "-c", str(path), env=env)
    assert good.returncode == 0, good.stderr
    assert (
        f"{path}: desk-slack: ok: the Slack Web API at 127.0.0.1:{slack.port} accepted the "
        "token (workspace Test, as monitor) and the bot can read channel C0ALERTS"
    ) in good.stdout
    assert (
        f"{path}: desk-mail: ok: the SMTP server 127.0.0.1:{smtp.port} (STARTTLS) accepted "
        "the login for 'monitor'"
    ) in good.stdout
    assert smtp.logins == [("monitor", True)]
    assert smtp.received == [] and slack.messages() == []

    bad = monitor(
        "check-config", "--online", "-c", str(path), env={**env, "T_SLACK": "xoxb-revoked"}
    )
    assert bad.returncode == 1
    assert f"{path}: desk-slack: failed: the Slack Web API at 127.0.0.1:{slack.port} " in (
        bad.stdout
    )
    assert "error invalid_auth" in bad.stdout and "variable T_SLACK" in bad.stdout
    assert "desk-mail: ok:" in bad.stdout
    assert "xoxb-revoked" not in bad.stdout + bad.stderr
