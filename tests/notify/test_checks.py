"""check-config's checks of destinations: secret shapes offline, logins online (real servers
on 127.0.0.1), sending nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import (
    EmailDestination,
    NotifyConfig,
    SlackDestination,
    SlackWebhookDestination,
)
from monitor.notify.checks import (
    check_online,
    shape_problems,
    token_problem,
    webhook_url_problem,
)
from monitor.notify.console import ConsoleNotifier
from monitor.notify.email import EmailNotifier
from monitor.notify.slack import SlackNotifier
from monitor.notify.slack_webhook import SlackWebhookNotifier
from tests.servers.slack import SlackServer
from tests.servers.smtp import SmtpServer

BODY = "1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        pytest.param(f"xoxb-{BODY}", None, id="bot"),
        pytest.param(f"xoxp-{BODY}", None, id="user"),
        pytest.param(f"xoxe.xoxb-1-{BODY}", None, id="rotating-bot"),
        pytest.param(f"xoxe.xoxp-1-{BODY}", None, id="rotating-user"),
        pytest.param("not-a-token", "Slack bot tokens start with xoxb-", id="not-a-token"),
        pytest.param("xoxb-", "cut short", id="prefix-only"),
        pytest.param(f"xoxb-{BODY} extra", "cut short", id="with-space"),
        pytest.param(f"xoxe-1-{BODY}", "refresh token", id="refresh-token"),
        pytest.param(f"xapp-1-{BODY}", "app-level token", id="app-token"),
        pytest.param(
            "https://hooks.slack.com/services/T0/B0/x", "type: slack_webhook", id="webhook-url"
        ),
    ],
)
def test_token_shapes(token: str, problem: str | None) -> None:
    found = token_problem(token)
    assert (found is None) == (problem is None), found
    if problem is not None:
        assert found is not None and problem in found
        assert token not in found


@pytest.mark.parametrize(
    ("url", "problem", "note"),
    [
        pytest.param(
            "https://hooks.slack.com/services/T0123ABC/B0456DEF/AbCdEfGh12345678", None, None,
            id="slack",
        ),
        pytest.param("not-a-url", "not a URL", None, id="not-a-url"),
        pytest.param(
            "http://hooks.slack.com/services/T0/B0/x", "not a Slack incoming webhook", None,
            id="http",
        ),
        pytest.param(
            "https://hooks.slack.com/services/T0123ABC", "not a Slack incoming webhook", None,
            id="cut-short",
        ),
        pytest.param(
            "https://api.slack.com/apps/A0123/incoming-webhooks",
            "not a Slack incoming webhook",
            None,
            id="app-page",
        ),
        pytest.param(
            "http://127.0.0.1:8065/hooks/abc", None, "taken as a Slack-compatible server",
            id="compatible",
        ),
    ],
)  # fmt: skip
def test_webhook_url_shapes(url: str, problem: str | None, note: str | None) -> None:
    found, said = webhook_url_problem(url)
    assert (found is None) == (problem is None), found
    assert (said is None) == (note is None), said
    if problem:
        assert found is not None and problem in found
    if note:
        assert said is not None and note in said


def test_shape_problems_name_destination_and_variable_never_the_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("T_DESK", "not-a-token")
    monkeypatch.setenv("T_LAB", "anything-goes-for-a-compatible-server")
    monkeypatch.setenv("T_HOOK", "https://hooks.slack.com/services/T0123ABC")
    cfg = NotifyConfig.model_validate(
        {
            "destinations": {
                "desk": {"type": "slack", "channel": "C1", "token_env": "T_DESK"},
                "lab": {
                    "type": "slack",
                    "channel": "C1",
                    "token_env": "T_LAB",
                    "base_url": "http://127.0.0.1:9/api/",
                },
                "hook": {"type": "slack_webhook", "url_env": "T_HOOK"},
            }
        }
    )
    errors, notes = shape_problems(cfg)
    assert notes == []
    desk, hook = errors
    assert desk.startswith("notify.destinations.desk: the token in the variable T_DESK is not")
    assert "Bot User OAuth Token" in desk and "not-a-token" not in desk
    assert hook.startswith("notify.destinations.hook: the URL in the variable T_HOOK is not")
    assert "T0123ABC" not in hook


async def test_online_check_logs_in_and_sends_nothing(tmp_path: Path) -> None:
    with SlackServer() as slack, SmtpServer(tmp_path, security="starttls") as smtp:
        mail = EmailDestination.model_validate(
            {
                "type": "email",
                **smtp.settings(),
                "password_env": "P",
                "from": "m@alerts.example",
                "to": ["desk@example.org"],
                "timeout": 5,
            }
        )
        chat = SlackDestination(type="slack", channel="#alerts", base_url=slack.url)
        hook = SlackWebhookDestination(type="slack_webhook")
        outcomes = await check_online(
            {
                "desk-slack": SlackNotifier("desk-slack", chat, slack.token, pace=0),
                "desk-mail": EmailNotifier("desk-mail", mail, smtp.password),
                "hook": SlackWebhookNotifier("hook", hook, slack.webhook_url),
                "console": ConsoleNotifier("console"),
            }
        )
        lines = [o.line() for o in outcomes]
        assert lines == [
            f"desk-slack: ok: the Slack Web API at 127.0.0.1:{slack.port} accepted the token "
            "(workspace Test, as monitor) and the bot can read channel #alerts",
            f"desk-mail: ok: the SMTP server 127.0.0.1:{smtp.port} (STARTTLS) accepted the "
            "login for 'monitor'",
            "hook: not checked: a webhook can only be checked by posting to it; "
            "`monitor test-alert hook` sends a test message",
            "console: not checked: prints to standard output; nothing to log in to",
        ]
        assert [c.method for c in slack.calls] == ["auth.test", "conversations.history"]
        assert smtp.logins == [("monitor", True)]
        assert smtp.received == [] and slack.messages() == [] and slack.webhook_posts == []


async def test_online_check_reports_each_refusal(tmp_path: Path) -> None:
    with SlackServer() as slack, SmtpServer(tmp_path, security="starttls") as smtp:
        mail = EmailDestination.model_validate(
            {
                "type": "email",
                **smtp.settings(),
                "password_env": "SMTP_PASSWORD",
                "from": "m@alerts.example",
                "to": ["desk@example.org"],
            }
        )
        wrong_channel = SlackDestination(type="slack", channel="C0NOSUCH", base_url=slack.url)
        outcomes = await check_online(
            {
                "revoked": SlackNotifier(
                    "revoked", SlackDestination(type="slack", channel="C0ALERTS",
                                                base_url=slack.url), "xoxb-revoked", pace=0
                ),
                "lost": SlackNotifier("lost", wrong_channel, slack.token, pace=0),
                "desk-mail": EmailNotifier("desk-mail", mail, "wrong-password"),
            }
        )  # fmt: skip
    revoked, lost, desk_mail = outcomes
    assert [o.result for o in outcomes] == ["failed"] * 3
    assert "answered auth.test with error invalid_auth" in revoked.detail
    assert "put a valid token in the variable SLACK_BOT_TOKEN" in revoked.detail
    assert "answered conversations.history with error channel_not_found" in lost.detail
    assert "invite the bot to that channel" in lost.detail
    assert "refused the login for 'monitor': SMTP 535" in desk_mail.detail
    assert "wrong-password" not in desk_mail.detail
