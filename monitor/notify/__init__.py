"""Alert delivery: notifiers (one per destination type), rendering, routing, the worker.

route_alerts (route.py)  inside the event's transaction: which alerts, to whom -> outbox
                         (plan_alerts decides, a pure function of what route_alerts loads)
Deliverer (deliver.py)   outbox -> notifier, with retries, pacing and crash recovery
Notifier (base.py)       slack.py, slack_webhook.py, email.py, webhook.py, console.py
causes.py                why a destination could not be reached, in words (host, port, cause)
tally.py                 what the worker sent, retried and failed, for the pass summaries
checks.py                check-config: secret shapes; --online logins that send nothing
sample_alert.py          `monitor test-alert`: the marked test alert, sent around the outbox
"""

from __future__ import annotations

from monitor.config import (
    ConsoleDestination,
    EmailDestination,
    NotifyConfig,
    SlackDestination,
    SlackWebhookDestination,
    WebhookDestination,
    resolve_secret,
)
from monitor.notify.base import Notifier, RemoteRef
from monitor.notify.console import ConsoleNotifier
from monitor.notify.deliver import Deliverer
from monitor.notify.email import EmailNotifier
from monitor.notify.route import CONSOLE, plan_alerts, route_alerts
from monitor.notify.slack import SlackNotifier
from monitor.notify.slack_webhook import SlackWebhookNotifier
from monitor.notify.webhook import WebhookNotifier

__all__ = [
    "Deliverer",
    "Notifier",
    "RemoteRef",
    "build_notifiers",
    "plan_alerts",
    "route_alerts",
]


def build_notifiers(cfg: NotifyConfig, public_url: str | None = None) -> dict[str, Notifier]:
    """One notifier per configured destination, the console when there is none.

    Secrets are read here; a missing one raises ConfigError naming the variable to set.
    """
    if not cfg.destinations:
        return {CONSOLE: ConsoleNotifier(CONSOLE)}
    pace = cfg.delivery.slack_pace
    out: dict[str, Notifier] = {}
    for name, d in cfg.destinations.items():
        owner = f"notify.destinations.{name}"
        if isinstance(d, SlackDestination):
            token = resolve_secret(owner, d.token_env, d.token_file, "token")
            out[name] = SlackNotifier(name, d, token, pace, public_url)
        elif isinstance(d, SlackWebhookDestination):
            url = resolve_secret(owner, d.url_env, d.url_file, "url")
            out[name] = SlackWebhookNotifier(name, d, url, pace)
        elif isinstance(d, EmailDestination):
            password = None
            if d.password_env or d.password_file:
                password = resolve_secret(owner, d.password_env, d.password_file, "password")
            out[name] = EmailNotifier(name, d, password)
        elif isinstance(d, WebhookDestination):
            secret = None
            if d.secret_env or d.secret_file:
                secret = resolve_secret(owner, d.secret_env, d.secret_file, "secret")
            out[name] = WebhookNotifier(name, d, secret)
        elif isinstance(d, ConsoleDestination):
            out[name] = ConsoleNotifier(name)
    return out
