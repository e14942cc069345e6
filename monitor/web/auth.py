"""Who may write through the console and the API.

Writes need the configured bearer token (`Authorization: Bearer ...`), the configured user and
password (basic auth), or a session the login form gave after one of those. A browser sends a
session cookie or cached basic credentials by itself, so a form (or a JSON request riding on a
cookie) must also carry the CSRF token the page was rendered with; a request with its own
Authorization header and a JSON body cannot be forged by another site (no form can send it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field

from monitor.config import WebConfig, resolve_secret

SESSION_COOKIE = "monitor_session"
CSRF_COOKIE = "monitor_csrf"
SESSION_SECONDS = 12 * 3600


@dataclass(frozen=True)
class Credentials:
    """The configured secrets; all None when writes are off."""

    token: str | None = None
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_config(cls, cfg: WebConfig) -> Credentials:
        """Read the secrets the config names (environment or file); a missing one raises
        ConfigError naming the variable or file to set."""
        token = None
        if cfg.token_env or cfg.token_file:
            token = resolve_secret("web", cfg.token_env, cfg.token_file, "token")
        password = None
        if cfg.username:
            password = resolve_secret("web", cfg.password_env, cfg.password_file, "password")
        return cls(token, cfg.username, password)

    @property
    def enabled(self) -> bool:
        return self.token is not None or self.password is not None

    def check(self, header: str | None) -> bool:
        """True when an Authorization header carries the token or the user and password."""
        if not header:
            return False
        scheme, _, value = header.partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer" and self.token is not None:
            return _same(value, self.token)
        if scheme.lower() == "basic" and self.password is not None:
            try:
                user, _, password = base64.b64decode(value).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                return False
            return _same(user, self.username or "") & _same(password, self.password)
        return False

    def login(self, token: str, username: str, password: str) -> bool:
        """True when a login form's fields match the token or the user and password."""
        if token and self.token is not None:
            return _same(token, self.token)
        if username and self.password is not None:
            return _same(username, self.username or "") & _same(password, self.password)
        return False


@dataclass
class Signer:
    """Signs session cookies and CSRF tokens with a key of this process (a restart logs
    everyone out, which is harmless: sign in again)."""

    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def _mac(self, text: str) -> str:
        return hmac.new(self.key, text.encode(), hashlib.sha256).hexdigest()

    def session(self, now: float | None = None) -> str:
        until = int((now or time.time()) + SESSION_SECONDS)
        return f"{until}.{self._mac(f'session:{until}')}"

    def valid_session(self, cookie: str | None, now: float | None = None) -> bool:
        if not cookie or "." not in cookie:
            return False
        until, _, mac = cookie.partition(".")
        if not until.isdigit() or int(until) < (now or time.time()):
            return False
        return _same(mac, self._mac(f"session:{until}"))

    def csrf(self, browser: str) -> str:
        """The CSRF token for the browser whose random CSRF cookie is `browser`."""
        return self._mac(f"csrf:{browser}")

    def valid_csrf(self, token: str | None, browser: str | None) -> bool:
        return bool(token and browser) and _same(token or "", self.csrf(browser or ""))


def new_browser_id() -> str:
    return secrets.token_urlsafe(18)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
