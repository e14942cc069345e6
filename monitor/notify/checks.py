"""What `monitor check-config` checks of the destinations beyond the config's own rules.

Offline, always: that each secret looks like what it is for. A Slack token must start with a
prefix Slack documents for tokens that can post: `xoxb-` (bot), `xoxp-` (user), or, with token
rotation, `xoxe.xoxb-` / `xoxe.xoxp-` (the expiring access tokens; a bare `xoxe-` is the refresh
token). A Slack incoming webhook URL must be https://hooks.slack.com/services/T…/B…/…. A
destination with `base_url` talks to a Slack-compatible server and is not held to Slack's token
shapes; a webhook URL on a host that is not Slack's is taken as a Slack-compatible server, and
a note says so.

Online (`--online`): each Slack token is tried with auth.test and its channel read with
conversations.history, as crash recovery must; each SMTP login is made (connect, STARTTLS or
TLS as configured, AUTH). Nothing is sent. Webhooks cannot be checked without posting:
`monitor test-alert NAME` does that.

Messages never contain a secret, not even a part of one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from monitor.config import (
    NotifyConfig,
    SlackDestination,
    SlackWebhookDestination,
    resolve_secret,
)
from monitor.errors import DeliveryError
from monitor.notify.base import Notifier
from monitor.notify.console import ConsoleNotifier
from monitor.notify.email import EmailNotifier
from monitor.notify.slack import SlackNotifier

BOT_TOKEN = re.compile(r"(?:xoxe\.)?xox[bp]-[A-Za-z0-9_-]{10,}")
WEBHOOK_PATH = re.compile(r"/services/[A-Z0-9]+/[A-Z0-9]+/[A-Za-z0-9]+/?")
TOKEN_FIX = "copy the Bot User OAuth Token (xoxb-…) from the Slack app's OAuth & Permissions page"


def _setting(env: str | None, file: str | None) -> str:
    return f"the file {file}" if file else f"the variable {env}"


def token_problem(token: str) -> str | None:
    """Why this is not a Slack token that can post messages, or None when it looks like one."""
    if BOT_TOKEN.fullmatch(token):
        return None
    if token.startswith("xapp-"):
        return "it is an app-level token (xapp-…), which cannot post messages"
    if token.startswith("xoxe-"):
        return (
            "it is a refresh token (xoxe-…), which cannot post messages; use the access token "
            "that came with it (xoxe.xoxb-…)"
        )
    if token.startswith("https://hooks.slack.com/"):
        return "it is an incoming webhook URL: use type: slack_webhook with url_env for that"
    if re.match(r"(?:xoxe\.)?xox[bp]-", token):
        return "it starts like one but is cut short or holds characters a token never has"
    return "Slack bot tokens start with xoxb- (user tokens xoxp-, rotating ones xoxe.xoxb-)"


def webhook_url_problem(url: str) -> tuple[str | None, str | None]:
    """(why this is not a Slack incoming webhook URL, a note about it); both None when fine."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return "it is not a URL (a Slack incoming webhook URL is https://hooks.slack.com/…)", None
    if host == "slack.com" or host.endswith(".slack.com"):
        slack_shaped = host == "hooks.slack.com" and parts.scheme == "https"
        if slack_shaped and WEBHOOK_PATH.fullmatch(parts.path):
            return None, None
        return (
            "it is not a Slack incoming webhook URL, which is "
            "https://hooks.slack.com/services/T…/B…/…",
            None,
        )
    return None, f"its host {host} is not Slack's: taken as a Slack-compatible server"


def shape_problems(cfg: NotifyConfig) -> tuple[list[str], list[str]]:
    """(errors, notes) about the secrets of Slack destinations, each naming the destination
    and where its secret comes from. Reads the secrets (a missing one raises ConfigError)."""
    errors: list[str] = []
    notes: list[str] = []
    for name, d in cfg.destinations.items():
        owner = f"notify.destinations.{name}"
        if isinstance(d, SlackDestination) and d.base_url is None:
            why = token_problem(resolve_secret(owner, d.token_env, d.token_file, "token"))
            if why:
                where = _setting(d.token_env, d.token_file)
                errors.append(
                    f"{owner}: the token in {where} is not a Slack bot token: {why}; "
                    f"{TOKEN_FIX} into {where}"
                )
        elif isinstance(d, SlackWebhookDestination):
            url = resolve_secret(owner, d.url_env, d.url_file, "url")
            why, note = webhook_url_problem(url)
            where = _setting(d.url_env, d.url_file)
            if why:
                errors.append(
                    f"{owner}: the URL in {where} is not usable: {why}; copy the Webhook URL "
                    f"from the Slack app's Incoming Webhooks page into {where}"
                )
            if note:
                notes.append(f"{owner}: the URL in {where}: {note}")
    return errors, notes


@dataclass(frozen=True, slots=True)
class Outcome:
    destination: str
    result: Literal["ok", "failed", "not checked"]
    detail: str

    def line(self) -> str:
        return f"{self.destination}: {self.result}: {self.detail}"


async def check_online(notifiers: Mapping[str, Notifier]) -> list[Outcome]:
    """Log in to each destination that allows it without sending; one outcome each."""
    out = []
    for name, notifier in notifiers.items():
        if not isinstance(notifier, SlackNotifier | EmailNotifier):
            out.append(Outcome(name, "not checked", _unchecked(notifier)))
            continue
        try:
            out.append(Outcome(name, "ok", await notifier.verify()))
        except DeliveryError as exc:
            out.append(Outcome(name, "failed", exc.reason))
    return out


def _unchecked(notifier: Notifier) -> str:
    if isinstance(notifier, ConsoleNotifier):
        return "prints to standard output; nothing to log in to"
    return (
        "a webhook can only be checked by posting to it; "
        f"`monitor test-alert {notifier.name}` sends a test message"
    )
