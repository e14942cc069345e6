"""Email over SMTP (STARTTLS, TLS or plain), with HTML and plain-text parts.

The Message-ID is made from the alert id, so a send repeated after a crash carries the same id
and mail systems that deduplicate on it show one message. A follow-up (an update email, sent
only at the outlet counts in `update_at_outlets`) answers the first email through In-Reply-To
and References, so mail clients thread it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib

from monitor.config import EmailDestination
from monitor.errors import DeliveryError
from monitor.logs import redact
from monitor.models import Alert
from monitor.notify import render
from monitor.notify.retry import classify, classify_exception
from monitor.store.outbox import RemoteRef

log = logging.getLogger(__name__)


def message_id(alert_id: str, sender: str) -> str:
    domain = sender.rpartition("@")[2].strip(" >") or "monitor.invalid"
    return f"<{alert_id}@{domain}>"


def build_message(alert: Alert, cfg: EmailDestination) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = render.email_subject(alert)
    msg["From"] = cfg.sender
    msg["To"] = ", ".join(cfg.to)
    msg["Date"] = format_datetime(alert.created_at or datetime.now(UTC))
    msg["Message-ID"] = message_id(alert.id, cfg.sender)
    if alert.parent:
        parent = message_id(alert.parent, cfg.sender)
        msg["In-Reply-To"] = parent
        msg["References"] = parent
    msg["X-Monitor-Alert-Id"] = alert.id
    msg.set_content(render.plain_text(alert))
    msg.add_alternative(render.email_html(alert), subtype="html")
    return msg


def _error(destination: str, status: int, reason: str) -> DeliveryError:
    return classify(destination, status, reason) or DeliveryError(destination, reason)


class EmailNotifier:
    pace = 0.0
    pace_key: str | None = None

    def __init__(self, name: str, cfg: EmailDestination, password: str | None) -> None:
        self.name = name
        self.cfg = cfg
        self._password = password
        self._password_setting = (
            f"the file {cfg.password_file}"
            if cfg.password_file
            else f"the variable {cfg.password_env}"
        )
        security = {"starttls": "STARTTLS", "tls": "TLS", "none": "no TLS"}[cfg.security]
        self.where = f"the SMTP server {cfg.host}:{cfg.port} ({security})"

    async def send(self, alert: Alert, thread: RemoteRef | None) -> RemoteRef:
        msg = build_message(alert, self.cfg)
        cfg = self.cfg
        try:
            refused, _ = await aiosmtplib.send(
                msg,
                hostname=cfg.host,
                port=cfg.port,
                username=cfg.username if self._password else None,
                password=self._password,
                use_tls=cfg.security == "tls",
                start_tls=cfg.security == "starttls",
                cert_bundle=cfg.ca_file,
                timeout=cfg.timeout,
            )
        except Exception as exc:
            raise self._failure(exc) from None
        if refused:
            log.warning(
                "some recipients refused the alert",
                extra={"stage": "notify", "alert": alert.id, "refused": sorted(refused)},
            )
        return RemoteRef(self.name, message_id(alert.id, cfg.sender))

    async def verify(self) -> str:
        """Connect, secure the session as configured and log in, sending nothing."""
        cfg = self.cfg
        client = aiosmtplib.SMTP(
            hostname=cfg.host,
            port=cfg.port,
            use_tls=cfg.security == "tls",
            start_tls=cfg.security == "starttls",
            cert_bundle=cfg.ca_file,
            timeout=cfg.timeout,
        )
        try:
            await client.connect()
            if cfg.username and self._password:
                await client.login(cfg.username, self._password)
            await client.quit()
        except Exception as exc:
            client.close()
            raise self._failure(exc) from None
        if cfg.username and self._password:
            return f"{self.where} accepted the login for {cfg.username!r}"
        return f"{self.where} answered; no login configured (username and password_env)"

    def _failure(self, exc: BaseException) -> DeliveryError:
        cfg = self.cfg
        if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
            return self._smtp_error(
                exc.code,
                exc.message,
                f"refused the login for {cfg.username!r}",
                f"check username and the password in {self._password_setting}",
                auth=True,
            )
        if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
            first = exc.recipients[0]
            bad = ", ".join(e.recipient for e in exc.recipients)
            return self._smtp_error(
                first.code,
                first.message,
                f"refused the recipients {bad}",
                f"check notify.destinations.{self.name}.to",
            )
        if isinstance(exc, aiosmtplib.SMTPSenderRefused):
            return self._smtp_error(
                exc.code,
                exc.message,
                f"refused the sender {cfg.sender!r}",
                f"check notify.destinations.{self.name}.from",
            )
        if isinstance(exc, aiosmtplib.SMTPResponseException):
            return self._smtp_error(exc.code, exc.message, "refused the message", "")
        if isinstance(exc, aiosmtplib.SMTPNotSupported):
            reason = f"{self.where}: {redact(exc.message)}; check security and port"
            return _error(self.name, 400, reason)
        return classify_exception(self.name, exc, self.where)

    def _smtp_error(
        self, code: int, text: str, what: str, fix: str, auth: bool = False
    ) -> DeliveryError:
        """SMTP 4xx is transient and 5xx permanent: map them onto the HTTP-like classifier."""
        transient = 400 <= code < 500
        status = 503 if transient else (401 if auth else 400)
        reply = redact(render.one_line(text))[:200]
        reason = f"{self.where} {what}: SMTP {code} {reply}".rstrip()
        if not transient:
            reason += f"; {fix or f'check notify.destinations.{self.name}'}"
        return _error(self.name, status, reason)

    async def update(self, first: RemoteRef, parent: Alert, latest: Alert) -> None:
        return None  # sent emails cannot change; updates are emails of their own

    async def find(self, alert: Alert, thread: RemoteRef | None) -> RemoteRef | None:
        return None  # SMTP cannot be searched; the repeated send keeps its Message-ID

    async def aclose(self) -> None:
        return None
