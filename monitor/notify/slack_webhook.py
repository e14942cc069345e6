"""Slack through an incoming webhook: one channel, no threads, no edits, no read-back.

Follow-ups reach a webhook destination only as the periodic short updates that `route` plans
(or not at all, per `followups`). An incoming webhook cannot be searched, so after a crash in
the instant between a send and its record the alert is sent again: use a bot token where even
that must not happen.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from slack_sdk.webhook import WebhookClient

from monitor.config import SlackWebhookDestination
from monitor.logs import redact
from monitor.models import Alert
from monitor.notify import render
from monitor.notify.causes import endpoint
from monitor.notify.retry import classify, classify_exception, parse_retry_after
from monitor.store.outbox import RemoteRef

# slack_sdk logs the full request URL at debug level, and the URL is this destination's secret.
_SDK_LOG = logging.getLogger("monitor.notify.slack_webhook.sdk")
_SDK_LOG.setLevel(logging.CRITICAL + 1)
_SDK_LOG.propagate = False
_REFUSED = {"invalid_token", "no_service", "no_team", "team_disabled", "channel_is_archived"}


class SlackWebhookNotifier:
    def __init__(
        self, name: str, cfg: SlackWebhookDestination, url: str, pace: float = 1.0
    ) -> None:
        self.name = name
        self.cfg = cfg
        self.pace = pace
        self.pace_key: str | None = f"slack-webhook:{name}"
        # Host and port only: the URL's path is the secret.
        self.where = f"the Slack incoming webhook at {endpoint(url)}"
        self._client = WebhookClient(
            url, timeout=max(1, int(cfg.timeout)), retry_handlers=[], logger=_SDK_LOG
        )
        self._url_setting = (
            f"the file {cfg.url_file}" if cfg.url_file else f"the variable {cfg.url_env}"
        )

    async def send(self, alert: Alert, thread: RemoteRef | None) -> RemoteRef:
        if alert.kind == "new":
            text, blocks = render.slack_message(alert)
        else:
            text, blocks = render.slack_followup(alert)
            status = render.outlets_line(alert.event)
            blocks.insert(0, {"type": "context", "elements": [render._plain(status, 2000)]})
        try:
            resp = await asyncio.to_thread(
                self._client.send, text=text, blocks=blocks, unfurl_links=False
            )
        except Exception as exc:
            raise classify_exception(self.name, exc, self.where) from None
        body = redact(render.one_line(resp.body or ""))[:60]
        reason = f"{self.where} answered HTTP {resp.status_code}" + (f": {body}" if body else "")
        if resp.status_code in (403, 404, 410) or body in _REFUSED:
            reason += f"; create a new incoming webhook and put its URL in {self._url_setting}"
        headers = {str(k).lower(): str(v) for k, v in (resp.headers or {}).items()}
        retry_after = parse_retry_after(headers.get("retry-after"), datetime.now(UTC))
        error = classify(self.name, resp.status_code, reason, retry_after)
        if error is not None:
            raise error
        return RemoteRef(self.name, alert.id)

    async def update(self, first: RemoteRef, parent: Alert, latest: Alert) -> None:
        return None  # incoming webhooks cannot edit messages

    async def find(self, alert: Alert, thread: RemoteRef | None) -> RemoteRef | None:
        return None

    async def aclose(self) -> None:
        return None
