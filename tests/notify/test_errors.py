"""Delivery errors a person can act on: every notifier, against real servers on 127.0.0.1 that
refuse, stay silent, speak the wrong protocol or answer with errors. Each message names the
destination, the host and port tried and the cause in words; never a bare exception class,
never a secret."""

from __future__ import annotations

import socket
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import aiosmtplib
import httpx
import pytest

from monitor.config import (
    EmailDestination,
    SlackDestination,
    SlackWebhookDestination,
    WebhookDestination,
)
from monitor.errors import DeliveryError, FatalDelivery, RetryableDelivery
from monitor.notify.base import Notifier
from monitor.notify.email import EmailNotifier
from monitor.notify.retry import classify_exception
from monitor.notify.slack import SlackNotifier
from monitor.notify.slack_webhook import SlackWebhookNotifier
from monitor.notify.webhook import WebhookNotifier
from tests.notify.conftest import make_alert
from tests.servers.http import FeedServer
from tests.servers.slack import SlackServer
from tests.servers.smtp import SmtpServer

SECRET = "s3cr3tNeverShown4711"
KINDS = ["slack", "slack_webhook", "email", "webhook"]
CLASS_NAMES = (
    "URLError",
    "ConnectError",
    "ConnectionError",
    "ConnectionRefusedError",
    "SMTPConnectError",
    "SMTPConnectTimeoutError",
    "ReadTimeout",
    "TimeoutError",
    "gaierror",
    "SSLError",
    "OSError",
)
NAMES = {
    "slack": "desk-slack",
    "slack_webhook": "desk-hook",
    "email": "desk-mail",
    "webhook": "siem",
}


def notifier(kind: str, port: int, *, tls: bool = False) -> Notifier:
    """A notifier of this kind aimed at 127.0.0.1:port, with a 1 s timeout."""
    scheme = "https" if tls else "http"
    name = NAMES[kind]
    if kind == "slack":
        base_url = f"{scheme}://127.0.0.1:{port}/api/"
        cfg = SlackDestination(type="slack", channel="C0ALERTS", base_url=base_url, timeout=1)
        return SlackNotifier(name, cfg, f"xoxb-{SECRET}", pace=0)
    if kind == "slack_webhook":
        hook = SlackWebhookDestination(type="slack_webhook", timeout=1)
        return SlackWebhookNotifier(
            name, hook, f"{scheme}://127.0.0.1:{port}/services/T/B/{SECRET}"
        )
    if kind == "email":
        mail = EmailDestination.model_validate(
            {
                "type": "email",
                "host": "127.0.0.1",
                "port": port,
                "security": "tls" if tls else "none",
                "username": "monitor",
                "password_env": "SMTP_PASSWORD",
                "from": "monitor@alerts.example",
                "to": ["desk@example.org"],
                "timeout": 1,
            }
        )
        return EmailNotifier(name, mail, SECRET)
    url = f"{scheme}://127.0.0.1:{port}/hook?key={SECRET}"
    return WebhookNotifier(name, WebhookDestination(type="webhook", url=url, timeout=1), SECRET)


async def failure(n: Notifier) -> DeliveryError:
    try:
        with pytest.raises(DeliveryError) as info:
            await n.send(make_alert(destination=n.name), None)
    finally:
        await n.aclose()
    return info.value


def assert_readable(error: DeliveryError, destination: str, port: int, *words: str) -> None:
    text = str(error)
    assert text.startswith(f"{destination}: "), text
    assert f"127.0.0.1:{port}" in text, text
    for word in words:
        assert word in text, text
    for name in CLASS_NAMES:
        assert name not in text, text
    assert SECRET not in text


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed when the block ends: nothing listens


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield int(s.getsockname()[1])


@pytest.mark.parametrize("kind", KINDS)
async def test_connection_refused_names_host_port_and_cause(kind: str, closed_port: int) -> None:
    error = await failure(notifier(kind, closed_port))
    assert isinstance(error, RetryableDelivery)
    assert_readable(error, NAMES[kind], closed_port, "cannot reach", "connection refused")


@pytest.mark.parametrize("kind", KINDS)
async def test_silence_is_a_timeout(kind: str, silent_port: int) -> None:
    error = await failure(notifier(kind, silent_port))
    assert isinstance(error, RetryableDelivery)
    assert_readable(error, NAMES[kind], silent_port, "timed out")


@pytest.mark.parametrize("kind", KINDS)
async def test_tls_to_a_plain_server_is_a_tls_failure(kind: str, tmp_path: Path) -> None:
    if kind == "email":
        with SmtpServer(tmp_path, security="none", username=None) as smtp:
            error = await failure(notifier(kind, smtp.port, tls=True))
            port = smtp.port
    else:
        with FeedServer() as plain:
            error = await failure(notifier(kind, plain.port, tls=True))
            port = plain.port
    assert_readable(error, NAMES[kind], port, "TLS failure", "does that port speak TLS?")


async def test_an_untrusted_certificate_is_fatal_and_says_what_to_do(tmp_path: Path) -> None:
    with SmtpServer(tmp_path, security="starttls", password=SECRET) as smtp:
        cfg = EmailDestination.model_validate(
            {
                "type": "email",
                **{**smtp.settings(), "ca_file": None},  # the self-signed CA is not trusted
                "password_env": "SMTP_PASSWORD",
                "from": "monitor@alerts.example",
                "to": ["desk@example.org"],
                "timeout": 5,
            }
        )
        error = await failure(EmailNotifier("desk-mail", cfg, SECRET))
    assert isinstance(error, FatalDelivery)
    assert_readable(error, "desk-mail", smtp.port, "certificate was refused", "ca_file")


@pytest.mark.parametrize(
    "exc",
    [
        urllib.error.URLError(socket.gaierror(-2, "Name or service not known")),
        httpx.ConnectError("[Errno -2] Name or service not known"),
        aiosmtplib.SMTPConnectError("Error connecting to mail.example.invalid on port 587"),
    ],
    ids=["urllib", "httpx", "aiosmtplib"],
)
def test_a_name_that_does_not_resolve_says_so(exc: BaseException) -> None:
    # Built by hand: a real lookup would leave loopback.
    if not isinstance(exc, urllib.error.URLError):
        exc.__cause__ = socket.gaierror(-2, "Name or service not known")
    error = classify_exception("desk-mail", exc, "the SMTP server mail.example.invalid:587")
    assert isinstance(error, RetryableDelivery)
    assert str(error) == (
        "desk-mail: cannot reach the SMTP server mail.example.invalid:587: name not resolved "
        "(check the host name, and that DNS answers from here)"
    )


def test_an_unknown_failure_keeps_its_text_out_of_the_reason() -> None:
    error = classify_exception("siem", ValueError(f"bad URL https://x.example/{SECRET}"))
    assert SECRET not in str(error)
    assert "unexpected failure in the client (ValueError); the log has the details" in str(error)


@pytest.mark.parametrize(
    ("script", "kind", "words"),
    [
        pytest.param(
            {"error": "channel_not_found"},
            FatalDelivery,
            ["answered chat.postMessage with error channel_not_found (HTTP 200)", "channel"],
            id="slack-error-field",
        ),
        pytest.param(
            {"status": 503},
            RetryableDelivery,
            ["answered chat.postMessage with error service_unavailable (HTTP 503)"],
            id="slack-outage",
        ),
        pytest.param(
            {"error": "missing_scope"},
            FatalDelivery,
            ["error missing_scope", "OAuth & Permissions"],
            id="slack-scope",
        ),
    ],
)
async def test_slack_answers_name_the_method_status_and_error(
    script: dict[str, object], kind: type[DeliveryError], words: list[str]
) -> None:
    with SlackServer(token=f"xoxb-{SECRET}") as slack:
        slack.fail("chat.postMessage", **script)  # type: ignore[arg-type]
        port = slack.port
        error = await failure(notifier("slack", port))
    assert isinstance(error, kind)
    assert_readable(error, "desk-slack", port, "the Slack Web API at", *words)


async def test_slack_webhook_answer_names_status_and_slack_error() -> None:
    with SlackServer() as slack:
        slack.fail("webhook", status=404, error="no_service")
        port = slack.port
        hook = SlackWebhookNotifier(
            "desk-hook", SlackWebhookDestination(type="slack_webhook"), slack.webhook_url
        )
        error = await failure(hook)
    assert isinstance(error, FatalDelivery)
    assert_readable(error, "desk-hook", port, "answered HTTP 404: no_service")
    assert "webhooksecret" not in str(error)  # the URL's path is the secret


async def test_webhook_answer_names_the_status_in_words() -> None:
    with SlackServer() as server:
        server.fail("webhook", status=500, error="boom")
        port = server.port
        url = server.webhook_url + f"?key={SECRET}"
        hook = WebhookNotifier("siem", WebhookDestination(type="webhook", url=url), SECRET)
        error = await failure(hook)
    assert isinstance(error, RetryableDelivery)
    assert_readable(error, "siem", port, "answered HTTP 500 Internal Server Error")


@pytest.mark.parametrize(
    ("code", "text", "kind"),
    [
        (554, "5.7.1 message refused as spam", FatalDelivery),
        (451, "4.3.0 mailbox busy, try later", RetryableDelivery),
    ],
    ids=["permanent", "transient"],
)
async def test_smtp_reply_code_and_text_reach_the_reason(
    tmp_path: Path, code: int, text: str, kind: type[DeliveryError]
) -> None:
    with SmtpServer(tmp_path, security="starttls", password=SECRET) as smtp:
        smtp.fail(code, text)
        cfg = EmailDestination.model_validate(
            {
                "type": "email",
                **smtp.settings(),
                "password_env": "SMTP_PASSWORD",
                "from": "monitor@alerts.example",
                "to": ["desk@example.org"],
                "timeout": 5,
            }
        )
        error = await failure(EmailNotifier("desk-mail", cfg, SECRET))
    assert isinstance(error, kind)
    assert_readable(error, "desk-mail", smtp.port, f"SMTP {code} {text}", "(STARTTLS)")


async def test_smtp_login_refusal_names_the_user_not_the_password(tmp_path: Path) -> None:
    with SmtpServer(tmp_path, security="starttls", password="the-right-one") as smtp:
        cfg = EmailDestination.model_validate(
            {
                "type": "email",
                **smtp.settings(),
                "password_env": "SMTP_PASSWORD",
                "from": "monitor@alerts.example",
                "to": ["desk@example.org"],
                "timeout": 5,
            }
        )
        error = await failure(EmailNotifier("desk-mail", cfg, SECRET))
    assert isinstance(error, FatalDelivery)
    assert_readable(
        error,
        "desk-mail",
        smtp.port,
        "refused the login for 'monitor': SMTP 535",
        "the password in the variable SMTP_PASSWORD",
    )
