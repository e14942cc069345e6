"""A generic JSON webhook for other systems, signed with HMAC-SHA256.

    POST <url>
    Content-Type: application/json
    Idempotency-Key: <alert id>             the same on every retry: deduplicate on it
    X-Monitor-Timestamp: <unix seconds>
    X-Monitor-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>

The receiver recomputes the signature and rejects stale timestamps. The webhook cannot be
searched, so an interrupted send is repeated with the same Idempotency-Key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from monitor.config import WebhookDestination
from monitor.models import Alert
from monitor.notify.base import TEST_ID_PREFIX
from monitor.notify.causes import endpoint
from monitor.notify.retry import classify, classify_exception, parse_retry_after
from monitor.store.outbox import RemoteRef

SIGNATURE_HEADER = "X-Monitor-Signature"
TIMESTAMP_HEADER = "X-Monitor-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def payload(alert: Alert) -> dict[str, Any]:
    e = alert.event
    return {
        "alert_id": alert.id,
        "test": alert.id.startswith(TEST_ID_PREFIX),  # `monitor test-alert`: nothing happened
        "kind": alert.kind,
        "parent": alert.parent,
        "event": {
            "id": e.id,
            "type": e.event_type,
            "subtype": e.subtype,
            "actor": e.actor,
            "date": e.event_date.isoformat() if e.event_date else None,
            "weapon": e.weapon,
            "outlets": list(e.outlets),
            "facts": dict(e.facts),
        },
        "article": {
            "id": alert.article_id,
            "headline": alert.headline,
            "outlet": alert.outlet,
            "url": alert.url,
            "published": alert.published.isoformat() if alert.published else None,
            "summary": alert.summary,
        },
        "explanation": list(alert.explanation),
    }


class WebhookNotifier:
    pace = 0.0
    pace_key: str | None = None

    def __init__(
        self,
        name: str,
        cfg: WebhookDestination,
        secret: str | None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.cfg = cfg
        self._secret = secret
        self._now = now
        self._client = httpx.AsyncClient(timeout=cfg.timeout, transport=transport)
        # Host and port only: the URL's path or query may hold a secret.
        self.where = f"the webhook at {endpoint(cfg.url)}"

    async def send(self, alert: Alert, thread: RemoteRef | None) -> RemoteRef:
        body = json.dumps(payload(alert), ensure_ascii=False).encode()
        timestamp = str(int(self._now().timestamp()))
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": alert.id,
            TIMESTAMP_HEADER: timestamp,
        }
        if self._secret:
            headers[SIGNATURE_HEADER] = sign(self._secret, timestamp, body)
        try:
            resp = await self._client.post(self.cfg.url, content=body, headers=headers)
        except httpx.TransportError as exc:
            raise classify_exception(self.name, exc, self.where) from None
        reason = f"{self.where} answered HTTP {resp.status_code} {resp.reason_phrase}".rstrip()
        if resp.status_code in (401, 403):
            reason += "; check that the receiver and this destination share the same secret"
        retry_after = parse_retry_after(resp.headers.get("retry-after"), self._now())
        error = classify(self.name, resp.status_code, reason, retry_after)
        if error is not None:
            raise error
        return RemoteRef(self.name, alert.id)

    async def update(self, first: RemoteRef, parent: Alert, latest: Alert) -> None:
        return None  # the follow-up payload already carries the event's latest state

    async def find(self, alert: Alert, thread: RemoteRef | None) -> RemoteRef | None:
        return None

    async def aclose(self) -> None:
        await self._client.aclose()
