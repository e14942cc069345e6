"""An SMTP server on 127.0.0.1 (aiosmtpd) that records what it receives, for tests and demos.

    with SmtpServer(tmp_path, security="starttls") as smtp:
        dest = EmailDestination(type="email", **smtp.settings(), sender="m@example.org",
                                to=["a@example.org"], password_env="SMTP_PASSWORD")
        # SMTP_PASSWORD must hold smtp.password
        ...
        msg = smtp.messages[0]          # email.message.EmailMessage, parsed
        smtp.fail(451, "try again later")   # the next DATA is refused with 451

`security` is "starttls" (STARTTLS required before AUTH), "tls" (implicit TLS) or "none".
The certificate is self-signed for 127.0.0.1, made at start with the openssl CLI; pass
`ca_file` to the client to trust it. AUTH LOGIN/PLAIN accepts only `username`/`password`.
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import subprocess
import threading
import time
import warnings
from collections import deque
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

__all__ = ["Received", "SmtpServer", "make_certificate"]

Security = Literal["starttls", "tls", "none"]


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


_CERTS: list[tuple[Path, Path]] = []  # made once per test session


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate and key for 127.0.0.1/localhost: (cert.pem, key.pem)."""
    if _CERTS and all(p.exists() for p in _CERTS[0]):
        return _CERTS[0]
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    _CERTS[:] = [(cert, key)]
    return cert, key


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpServer:
    def __init__(
        self,
        folder: Path,
        security: Security = "starttls",
        username: str | None = "monitor",
        password: str = "smtp-secret-pw",
    ) -> None:
        self.folder = folder
        self.security = security
        self.username = username
        self.password = password
        self.received: list[Received] = []
        self.logins: list[tuple[str, bool]] = []  # (login, accepted)
        self.ca_file: str | None = None
        self.port = 0
        self._failures: deque[tuple[int, str]] = deque()
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return [r.message for r in self.received]

    def settings(self) -> dict[str, Any]:
        """host, port, security, username and ca_file, as EmailDestination takes them."""
        return {
            "host": self.host,
            "port": self.port,
            "security": self.security,
            "username": self.username,
            "ca_file": self.ca_file,
        }

    def fail(self, code: int, text: str = "try again later", times: int = 1) -> None:
        """Refuse the next `times` messages (at DATA) with this SMTP reply."""
        with self._lock:
            self._failures.extend([(code, text)] * times)

    def start(self) -> SmtpServer:
        kwargs: dict[str, Any] = {}
        if self.security != "none":
            cert, key = make_certificate(self.folder)
            self.ca_file = str(cert)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            if self.security == "tls":
                kwargs["ssl_context"] = context
            else:
                kwargs["tls_context"] = context
                kwargs["require_starttls"] = True
        if self.username:
            kwargs["authenticator"] = self._authenticate
            kwargs["auth_required"] = True
            # with implicit TLS aiosmtpd cannot tell the session is encrypted: it always is
            kwargs["auth_require_tls"] = self.security == "starttls"
        self.port = _free_port()
        self._controller = _Controller(_Handler(self), hostname=self.host, port=self.port, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            time.sleep(0.02)  # let sessions that just said QUIT close before the loop stops
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == self.username
            and data.password.decode() == self.password
        )
        login = data.login.decode() if isinstance(data, LoginPassword) else "?"
        with self._lock:
            self.logins.append((login, ok))
        return AuthResult(success=ok, handled=False)


class _Controller(Controller):  # type: ignore[misc]
    def factory(self) -> Any:
        with warnings.catch_warnings():
            # aiosmtpd warns about AUTH without STARTTLS; with implicit TLS that is expected
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
            return super().factory()


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        s = self.server
        with s._lock:
            if s._failures:
                code, text = s._failures.popleft()
                return f"{code} {text}"
            raw = bytes(envelope.content)
            message = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            s.received.append(
                Received(
                    mail_from=str(envelope.mail_from),
                    rcpt_tos=list(envelope.rcpt_tos),
                    message=message,
                    raw=raw,
                )
            )
        return "250 OK"
