"""The contract every notifier keeps, run against real servers on 127.0.0.1.

Each harness builds one notifier against its server and says what arrived there. A notifier
must deliver an alert exactly as one message, thread follow-ups where it can, classify refusals
as fatal (naming the setting to fix) and outages as retryable, find what it sent when it can
search, and never let its secret reach an error or a log line.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.config import (
    EmailDestination,
    SlackDestination,
    SlackWebhookDestination,
    WebhookDestination,
)
from monitor.errors import FatalDelivery, RetryableDelivery
from monitor.notify.base import Notifier
from monitor.notify.console import ConsoleNotifier
from monitor.notify.email import EmailNotifier
from monitor.notify.slack import SlackNotifier
from monitor.notify.slack_webhook import SlackWebhookNotifier
from monitor.notify.webhook import WebhookNotifier
from tests.notify.conftest import make_alert, make_event
from tests.servers.slack import SlackServer
from tests.servers.smtp import SmtpServer

SECRET = "s3cr3t-value-never-shown"


class Harness:
    searchable = False  # find() can see what was sent
    slack_markup = False  # what arrives is parsed as Slack markup (mentions would fire)
    can_fail = True
    retry_after: float | None = 7.0  # what a scripted 429 carries
    setting = ""  # the words a fatal refusal must contain

    def make(self, good_secret: bool = True) -> Notifier:
        raise NotImplementedError

    def delivered(self) -> list[str]:
        """The text of each message that arrived, in order."""
        raise NotImplementedError

    def fail_retryable(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError


class SlackHarness(Harness):
    searchable = True
    slack_markup = True
    setting = "SLACK_BOT_TOKEN"

    def __init__(self, tmp: Path) -> None:
        self.server = SlackServer(token=SECRET).start()

    def make(self, good_secret: bool = True) -> Notifier:
        cfg = SlackDestination(type="slack", channel="C0ALERTS", base_url=self.server.url)
        return SlackNotifier("slack", cfg, SECRET if good_secret else "xoxb-wrong", pace=0)

    def delivered(self) -> list[str]:
        out = []
        for m in self.server.messages():
            out.append(json.dumps(m["blocks"]))
            out += [json.dumps(r["blocks"]) for r in self.server.replies(m["ts"])]
        return out

    def fail_retryable(self) -> None:
        self.server.fail("chat.postMessage", status=429, retry_after=7)

    def stop(self) -> None:
        self.server.stop()


class SlackWebhookHarness(Harness):
    slack_markup = True
    setting = "SLACK_WEBHOOK_URL"

    def __init__(self, tmp: Path) -> None:
        self.server = SlackServer().start()

    def make(self, good_secret: bool = True) -> Notifier:
        if not good_secret:
            self.server.fail("webhook", status=403, error="invalid_token")
        cfg = SlackWebhookDestination(type="slack_webhook")
        return SlackWebhookNotifier("hook", cfg, self.server.webhook_url + "?k=" + SECRET, pace=0)

    def delivered(self) -> list[str]:
        return [json.dumps(p["blocks"]) for p in self.server.webhook_posts]

    def fail_retryable(self) -> None:
        self.server.fail("webhook", status=429, retry_after=7)

    def stop(self) -> None:
        self.server.stop()


class EmailHarness(Harness):
    retry_after = None
    setting = "SMTP_PASSWORD"

    def __init__(self, tmp: Path) -> None:
        self.server = SmtpServer(tmp, security="starttls", password=SECRET).start()

    def make(self, good_secret: bool = True) -> Notifier:
        cfg = EmailDestination.model_validate(
            {
                "type": "email",
                **self.server.settings(),
                "from": "monitor@alerts.example",
                "to": ["desk@example.org", "oncall@example.org"],
                "password_env": "SMTP_PASSWORD",
                "timeout": 5,
            }
        )
        return EmailNotifier("mail", cfg, SECRET if good_secret else "wrong-password")

    def delivered(self) -> list[str]:
        out = []
        for m in self.server.messages:
            body = m.get_body(("plain",))
            assert body is not None
            out.append(str(m["Subject"]) + "\n" + body.get_content().replace("\r\n", "\n"))
        return out

    def fail_retryable(self) -> None:
        self.server.fail(451, "try again later")

    def stop(self) -> None:
        self.server.stop()


class WebhookHarness(Harness):
    setting = "secret"

    def __init__(self, tmp: Path) -> None:
        self.server = SlackServer().start()

    def make(self, good_secret: bool = True) -> Notifier:
        if not good_secret:
            self.server.fail("webhook", status=401, error="bad signature")
        cfg = WebhookDestination(type="webhook", url=self.server.webhook_url, secret_env="X")
        return WebhookNotifier("hook", cfg, SECRET)

    def delivered(self) -> list[str]:
        return [json.dumps(p) for p in self.server.webhook_posts]

    def fail_retryable(self) -> None:
        self.server.fail("webhook", status=429, retry_after=7)

    def stop(self) -> None:
        self.server.stop()


class ConsoleHarness(Harness):
    can_fail = False

    def __init__(self, tmp: Path) -> None:
        self.stream = io.StringIO()

    def make(self, good_secret: bool = True) -> Notifier:
        return ConsoleNotifier("console", self.stream)

    def delivered(self) -> list[str]:
        return [x for x in self.stream.getvalue().split("\n=== ") if x.strip()]

    def stop(self) -> None:
        return None


HARNESSES = {
    "slack": SlackHarness,
    "slack_webhook": SlackWebhookHarness,
    "email": EmailHarness,
    "webhook": WebhookHarness,
    "console": ConsoleHarness,
}


@pytest.fixture(params=sorted(HARNESSES))
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    h: Harness = HARNESSES[request.param](tmp_path)
    yield h
    h.stop()


async def test_sends_one_message_per_alert(harness: Harness) -> None:
    notifier = harness.make()
    ref = await notifier.send(make_alert(destination=notifier.name), None)
    assert ref.destination == notifier.name
    delivered = harness.delivered()
    assert len(delivered) == 1
    assert "North Korea fires ballistic missile" in delivered[0]
    await notifier.aclose()


async def test_followup_goes_to_the_thread_and_update_is_harmless(harness: Harness) -> None:
    notifier = harness.make()
    first = make_alert(destination=notifier.name)
    ref = await notifier.send(first, None)
    followup = make_alert(
        "a000000000000000000000002",
        destination=notifier.name,
        kind="followup",
        parent=first.id,
        outlet="Reuters",
        headline="Pyongyang launches missile, Seoul says",
        event=make_event(2),
    )
    await notifier.send(followup, ref)
    await notifier.update(ref, first, followup)
    await notifier.update(ref, first, followup)  # idempotent
    delivered = harness.delivered()
    assert len(delivered) == 2
    assert "Pyongyang launches missile" in delivered[1]
    await notifier.aclose()


async def test_find_sees_what_was_sent(harness: Harness) -> None:
    notifier = harness.make()
    alert = make_alert(destination=notifier.name)
    assert await notifier.find(alert, None) is None
    ref = await notifier.send(alert, None)
    found = await notifier.find(alert, None)
    assert found == (ref if harness.searchable else None)
    assert await notifier.find(make_alert("a0000000000000000000000ff"), None) is None
    await notifier.aclose()


async def test_rate_limit_is_retryable_with_retry_after(harness: Harness) -> None:
    if not harness.can_fail:
        pytest.skip("the console cannot fail")
    notifier = harness.make()
    harness.fail_retryable()
    with pytest.raises(RetryableDelivery) as info:
        await notifier.send(make_alert(destination=notifier.name), None)
    assert info.value.retry_after == harness.retry_after
    assert harness.delivered() == []
    await notifier.aclose()


async def test_refusal_is_fatal_names_the_setting_and_leaks_no_secret(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    if not harness.can_fail:
        pytest.skip("the console cannot fail")
    caplog.set_level(logging.DEBUG)
    notifier = harness.make(good_secret=False)
    with pytest.raises(FatalDelivery) as info:
        await notifier.send(make_alert(destination=notifier.name), None)
    assert harness.setting in str(info.value)
    assert SECRET not in str(info.value)
    assert SECRET not in caplog.text
    await notifier.aclose()


async def test_unreachable_destination_is_retryable_and_leaks_no_secret(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    if not harness.can_fail:
        pytest.skip("the console cannot fail")
    caplog.set_level(logging.DEBUG)
    notifier = harness.make()
    harness.stop()
    with pytest.raises(RetryableDelivery) as info:
        await notifier.send(make_alert(destination=notifier.name), None)
    assert SECRET not in str(info.value)
    assert SECRET not in caplog.text
    await notifier.aclose()


@pytest.mark.parametrize(
    "headline",
    ["<!channel> launch *bold* _x_ <@U123> <#C1|general>", "Line\r\nBcc: victim@example.org"],
    ids=["mentions", "crlf"],
)
async def test_hostile_headline_arrives_defused(harness: Harness, headline: str) -> None:
    notifier = harness.make()
    await notifier.send(make_alert(destination=notifier.name, headline=headline), None)
    [text] = harness.delivered()
    if harness.slack_markup and "<!channel>" in headline:
        assert "<!channel>" not in text and "<@U123>" not in text and "<#C1" not in text
        assert "&lt;!channel&gt;" in text
    assert "\r" not in text
    assert not any(line.startswith("Bcc:") for line in text.splitlines())
    await notifier.aclose()


async def test_followup_without_thread_still_arrives(harness: Harness) -> None:
    notifier = harness.make()
    followup = replace(make_alert(destination=notifier.name), kind="followup", parent="a0")
    await notifier.send(followup, None)
    assert len(harness.delivered()) == 1
    await notifier.aclose()
