"""Slack through a bot token: chat.postMessage, thread replies, chat.update.

Every message carries Slack message metadata {"alert_id": ...}; after a crash, `find` reads the
channel (or the thread) back with `include_all_metadata` to learn whether an interrupted send
arrived. slack_sdk's own retry handlers are switched off: retrying is the delivery worker's job.
The blocking `WebClient` runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from monitor.config import SlackDestination
from monitor.errors import DeliveryError
from monitor.models import Alert
from monitor.notify import render
from monitor.notify.causes import endpoint
from monitor.notify.retry import classify, classify_exception, parse_retry_after
from monitor.store.outbox import RemoteRef

log = logging.getLogger(__name__)
METADATA_TYPE = "monitor_alert"
_AUTH = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
_CHANNEL = {"channel_not_found", "not_in_channel", "is_archived"}
_TRANSIENT = {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}


class SlackNotifier:
    def __init__(
        self,
        name: str,
        cfg: SlackDestination,
        token: str,
        pace: float = 1.0,
        public_url: str | None = None,
    ) -> None:
        self.name = name
        self.public_url = public_url  # web.public_url: a "View event" button links there
        self.cfg = cfg
        self.pace = pace
        self.pace_key: str | None = f"slack:{cfg.channel}"
        base_url = (cfg.base_url or "https://slack.com/api/").rstrip("/") + "/"
        self.where = f"the Slack Web API at {endpoint(base_url)}"
        self._client = WebClient(
            token=token, base_url=base_url, timeout=max(1, int(cfg.timeout)), retry_handlers=[]
        )
        self._token_setting = (
            f"the file {cfg.token_file}" if cfg.token_file else f"the variable {cfg.token_env}"
        )

    async def send(self, alert: Alert, thread: RemoteRef | None) -> RemoteRef:
        text, blocks = render.slack_render(alert)
        if not thread:
            blocks = [*blocks, *view_button(self.public_url, alert.event_id)]
        resp = await self._call(
            "chat_postMessage",
            channel=thread.channel if thread and thread.channel else self.cfg.channel,
            thread_ts=thread.id if thread else None,
            text=text,
            blocks=blocks,
            metadata=_metadata(alert),
            unfurl_links=False,
            unfurl_media=False,
            link_names=False,
            parse="none",
        )
        ref = RemoteRef(self.name, str(resp["ts"]), str(resp.get("channel") or self.cfg.channel))
        # The message is sent whatever comes of this: a link is for people, and the console
        # falls back to opening the channel.
        try:
            found = await self._call("chat_getPermalink", channel=ref.channel, message_ts=ref.id)
        except DeliveryError:
            return ref
        link = found.get("permalink")
        return replace(ref, link=str(link)) if link else ref

    async def update(self, first: RemoteRef, parent: Alert, latest: Alert) -> None:
        text, blocks = render.slack_message(parent, latest.event)
        blocks = [*blocks, *view_button(self.public_url, parent.event_id)]
        await self._call(
            "chat_update",
            channel=first.channel or self.cfg.channel,
            ts=first.id,
            text=text,
            blocks=blocks,
            metadata=_metadata(parent),
            link_names=False,
            parse="none",
        )

    async def find(self, alert: Alert, thread: RemoteRef | None) -> RemoteRef | None:
        created = alert.created_at or datetime.now(UTC)
        oldest = f"{(created - timedelta(minutes=5)).timestamp():.6f}"
        if thread is not None:
            method, args = "conversations_replies", {"channel": thread.channel, "ts": thread.id}
        else:
            method, args = "conversations_history", {"channel": self.cfg.channel}
        cursor: str | None = None
        while True:
            resp = await self._call(
                method, **args, oldest=oldest, include_all_metadata=True, limit=200, cursor=cursor
            )
            for message in resp.get("messages") or []:
                payload = (message.get("metadata") or {}).get("event_payload") or {}
                if payload.get("alert_id") == alert.id:
                    channel = str(resp.get("channel") or args["channel"] or self.cfg.channel)
                    return RemoteRef(self.name, str(message["ts"]), channel)
            cursor = ((resp.get("response_metadata") or {}).get("next_cursor")) or None
            if not cursor:
                return None

    async def verify(self) -> str:
        """Check the token (auth.test) and that the bot can read its channel, as crash recovery
        must (conversations.history), without posting anything."""
        who = await self._call("auth_test")
        await self._call("conversations_history", channel=self.cfg.channel, limit=1)
        team, user = who.get("team") or "?", who.get("user") or "?"
        return (
            f"{self.where} accepted the token (workspace {team}, as {user}) and the bot can "
            f"read channel {self.cfg.channel}"
        )

    async def permalink(self, ref: RemoteRef) -> str | None:
        """A link to a sent message: chat.getPermalink; else built from the workspace's URL
        (auth.test) and the message's ts, as Slack builds it; else None."""
        channel = ref.channel or self.cfg.channel
        try:
            resp = await self._call("chat_getPermalink", channel=channel, message_ts=ref.id)
            if resp.get("permalink"):
                return str(resp["permalink"])
        except DeliveryError:
            pass
        try:
            workspace = str((await self._call("auth_test")).get("url") or "")
        except DeliveryError:
            return None
        if not workspace:
            return None
        return f"{workspace.rstrip('/')}/archives/{channel}/p{ref.id.replace('.', '')}"

    async def aclose(self) -> None:
        return None

    async def _call(self, method: str, **kwargs: Any) -> Mapping[str, Any]:
        args = {k: v for k, v in kwargs.items() if v is not None}
        try:
            resp = await asyncio.to_thread(getattr(self._client, method), **args)
        except SlackApiError as exc:
            raise self._error(method, exc) from None
        except Exception as exc:
            raise classify_exception(self.name, exc, self.where) from None
        data = resp.data
        return data if isinstance(data, dict) else {}

    def _error(self, method: str, exc: SlackApiError) -> DeliveryError:
        resp = exc.response
        status = int(resp.status_code)
        headers = {str(k).lower(): str(v) for k, v in (resp.headers or {}).items()}
        retry_after = parse_retry_after(headers.get("retry-after"), datetime.now(UTC))
        data = resp.data if isinstance(resp.data, dict) else {}
        code = str(data.get("error") or f"HTTP {status}")
        answer = f"error {code} (HTTP {status})" if data.get("error") else f"HTTP {status}"
        reason = f"{self.where} answered {method.replace('_', '.')} with {answer}"
        if code == "ratelimited":
            status = 429
        elif code in _TRANSIENT:
            status = 503
        elif code in _AUTH:
            status = 401
            reason += f"; Slack refused the bot token: put a valid token in {self._token_setting}"
        elif code in _CHANNEL:
            status = 404
            reason += (
                f"; check notify.destinations.{self.name}.channel ({self.cfg.channel!r}"
                f"{'' if self.cfg.channel[:1] in 'CGD' else ', best given as its ID, C…'}) "
                "and invite the bot to that channel"
            )
        elif code == "missing_scope":
            status = 403
            reason += (
                f"; the token lacks the scope {data.get('needed') or '(not named)'}: add it "
                "under OAuth & Permissions in the Slack app's settings and reinstall the app"
            )
        elif status == 200:
            status = 400
        error = classify(self.name, status, reason, retry_after)
        assert error is not None  # a SlackApiError is never a success
        return error


def view_button(public_url: str | None, event_id: str) -> list[dict[str, Any]]:
    """A plain link button to the event's console page (no interactivity endpoint needed);
    none when web.public_url is not set."""
    if not public_url:
        return []
    url = f"{public_url.rstrip('/')}/events/{quote(event_id, safe='')}"
    button = {"type": "button", "text": {"type": "plain_text", "text": "View event"}, "url": url}
    return [{"type": "actions", "elements": [button]}]


def _metadata(alert: Alert) -> dict[str, Any]:
    return {
        "event_type": METADATA_TYPE,
        "event_payload": {"alert_id": alert.id, "event_id": alert.event_id},
    }
