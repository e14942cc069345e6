"""Email over aiosmtpd: STARTTLS and implicit TLS with login, many recipients, threading."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import EmailDestination
from monitor.errors import RetryableDelivery
from monitor.notify.email import EmailNotifier
from tests.notify.conftest import make_alert
from tests.servers.smtp import SmtpServer


@pytest.mark.parametrize("security", ["starttls", "tls"])
async def test_login_and_delivery_to_every_recipient(tmp_path: Path, security: str) -> None:
    with SmtpServer(tmp_path, security=security) as smtp:  # type: ignore[arg-type]
        cfg = EmailDestination.model_validate(
            {
                "type": "email",
                **smtp.settings(),
                "from": "Monitor <monitor@alerts.example>",
                "to": ["desk@example.org", "oncall@example.org"],
                "password_env": "P",
                "timeout": 5,
            }
        )
        notifier = EmailNotifier("mail", cfg, smtp.password)
        ref = await notifier.send(make_alert(), None)
        await notifier.send(make_alert("a2", kind="followup", parent=make_alert().id), ref)
        assert smtp.logins == [("monitor", True), ("monitor", True)]
        first, update = smtp.received
        assert first.rcpt_tos == ["desk@example.org", "oncall@example.org"]
        assert first.message["Message-ID"] == ref.id == "<a000000000000000000000001@alerts.example>"
        assert update.message["In-Reply-To"] == ref.id
        assert first.message.get_body(("html",)) is not None


async def test_transient_smtp_refusal_is_retryable(tmp_path: Path) -> None:
    with SmtpServer(tmp_path, security="starttls") as smtp:
        cfg = EmailDestination.model_validate(
            {
                "type": "email",
                **smtp.settings(),
                "from": "m@alerts.example",
                "to": ["a@b.example"],
                "password_env": "P",
                "timeout": 5,
            }
        )
        smtp.fail(451, "mailbox busy")
        with pytest.raises(RetryableDelivery, match="SMTP 451"):
            await EmailNotifier("mail", cfg, smtp.password).send(make_alert(), None)
