"""A Slack-Web-API-compatible server on 127.0.0.1 for tests and demos.

    with SlackServer() as slack:
        client = WebClient(token=slack.token, base_url=slack.url)   # or SlackDestination.base_url
        slack.fail("chat.postMessage", status=429, retry_after=3)   # the next call is rate limited
        slack.fail("chat.postMessage", error="invalid_auth")        # ...then refused
        slack.down = True                                           # every call answers 503
        ...
        assert [m["text"] for m in slack.messages()] == [...]
        assert slack.alert_ids() == [...]                           # metadata alert ids, in order

It implements auth.test (with the workspace `url`, as Slack answers), chat.postMessage (threads
via thread_ts, message metadata), chat.update, chat.getPermalink (links under `url`, shaped as
Slack's: /archives/<channel>/p<ts without its dot>), conversations.history and
conversations.replies (metadata returned only with include_all_metadata, cursor paging,
oldest) and an incoming webhook at `webhook_url`.
Bodies may be JSON, form-encoded or query strings, as slack_sdk sends them. Channels are known
by id or by name ("C0ALERTS", "alerts", "#alerts"). Every call is recorded in `calls`.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["Call", "SlackServer"]

WEBHOOK_PATH = "/services/T0TEST/B0TEST/webhooksecret"


@dataclass(frozen=True)
class Call:
    """One request: the API method ("webhook" for the incoming webhook) and its arguments."""

    method: str
    params: dict[str, Any]
    token: str | None
    status: int  # the HTTP status answered
    error: str | None  # Slack's "error" field, when it answered ok: false
    time: float = field(default_factory=time.time)


@dataclass(frozen=True)
class _Failure:
    status: int
    error: str | None
    retry_after: float | None


class SlackServer:
    """A threaded fake Slack on a random free port of 127.0.0.1."""

    def __init__(
        self, token: str = "xoxb-test-token", channels: dict[str, str] | None = None
    ) -> None:
        self.token = token
        self.channels = channels or {"C0ALERTS": "alerts"}  # id -> name
        self.calls: list[Call] = []
        self.webhook_posts: list[dict[str, Any]] = []  # JSON bodies of accepted webhook posts
        self.webhook_headers: list[dict[str, str]] = []  # their headers, and raw bodies:
        self.webhook_bodies: list[bytes] = []
        self.down = False  # while True every call answers 503 (an outage)
        self.delay = 0.0  # seconds to wait after acting on a call, before answering it
        self._messages: list[dict[str, Any]] = []  # every message, replies included, in order
        self._failures: dict[str, deque[_Failure]] = {}
        self._lock = threading.Lock()
        self._seq = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> SlackServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._handle(self)

            def do_POST(self) -> None:
                server._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> SlackServer:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "start the server first"
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The Web API base URL (for WebClient(base_url=...) and SlackDestination.base_url)."""
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def workspace_url(self) -> str:
        """What auth.test answers as the workspace's URL (https://<team>.slack.com/ on Slack)."""
        return f"http://127.0.0.1:{self.port}/"

    def permalink(self, ts: str, channel: str = "C0ALERTS") -> str:
        """The link chat.getPermalink gives for a message."""
        cid = self._channel_id(channel) or channel
        return f"{self.workspace_url}archives/{cid}/p{ts.replace('.', '')}"

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{WEBHOOK_PATH}"

    # -- scripting ---------------------------------------------------------------------------
    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: float | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` ("*" for any, "webhook" for the incoming
        webhook) with an HTTP status and/or a Slack error such as "invalid_auth" or
        "channel_not_found". A 429 carries Retry-After when `retry_after` is given."""
        if error is None and status == 200:
            raise ValueError("give an error code or a non-200 status")
        with self._lock:
            queue = self._failures.setdefault(method, deque())
            queue.extend([_Failure(status, error, retry_after)] * times)

    # -- inspecting --------------------------------------------------------------------------
    def messages(self, channel: str = "C0ALERTS") -> list[dict[str, Any]]:
        """Top-level messages of a channel, oldest first (thread replies excluded)."""
        cid = self._channel_id(channel)
        with self._lock:
            return [
                dict(m)
                for m in self._messages
                if m["channel"] == cid and m.get("thread_ts") in (None, m["ts"])
            ]

    def replies(self, ts: str, channel: str = "C0ALERTS") -> list[dict[str, Any]]:
        """The replies in the thread of message `ts`, oldest first (the parent excluded)."""
        cid = self._channel_id(channel)
        with self._lock:
            return [
                dict(m)
                for m in self._messages
                if m["channel"] == cid and m.get("thread_ts") == ts and m["ts"] != ts
            ]

    def alert_ids(self) -> list[str]:
        """The alert id in the metadata of every message posted (replies too), in order."""
        with self._lock:
            return [
                str(m["metadata"]["event_payload"]["alert_id"])
                for m in self._messages
                if (m.get("metadata") or {}).get("event_payload", {}).get("alert_id")
            ]

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    # -- the API -----------------------------------------------------------------------------
    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(req.path)
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length) if length else b""
        params: dict[str, Any] = dict(parse_qsl(parts.query))
        if raw and "json" in (req.headers.get("Content-Type") or ""):
            params.update(json.loads(raw))
        elif raw:
            params.update(parse_qsl(raw.decode()))
        auth = req.headers.get("Authorization") or ""
        token = auth.removeprefix("Bearer ").strip() or params.pop("token", None)
        if parts.path == WEBHOOK_PATH:
            self._webhook(req, params, raw)
            return
        method = parts.path.removeprefix("/api/")
        with self._lock:
            failure = self._take_failure(method)
            if failure is None and self.down:
                failure = _Failure(503, "service_unavailable", None)
            if failure is not None:
                error = failure.error or _default_error(failure.status)
                status, body = failure.status, {"ok": False, "error": error}
            elif not token:
                status, body = 200, {"ok": False, "error": "not_authed"}
            elif token != self.token:
                status, body = 200, {"ok": False, "error": "invalid_auth"}
            else:
                status, body = 200, self._api(method, params)
            error = None if body.get("ok") else str(body.get("error"))
            self.calls.append(Call(method, params, token, status, error))
        headers = {}
        if failure is not None and failure.retry_after is not None:
            headers["Retry-After"] = f"{failure.retry_after:g}"
        if self.delay:
            time.sleep(self.delay)  # widens the window between "done" and "client knows"
        _reply(req, status, json.dumps(body).encode(), "application/json", headers)

    def _webhook(self, req: BaseHTTPRequestHandler, params: dict[str, Any], raw: bytes) -> None:
        with self._lock:
            failure = self._take_failure("webhook")
            if failure is None and self.down:
                failure = _Failure(503, "service_unavailable", None)
            if failure is None:
                self.webhook_posts.append(params)
                self.webhook_headers.append(dict(req.headers.items()))
                self.webhook_bodies.append(raw)
                status, text = 200, "ok"
            else:
                status = failure.status if failure.status != 200 else 400
                text = failure.error or "error"
            self.calls.append(
                Call("webhook", params, None, status, None if status == 200 else text)
            )
        headers = {}
        if failure is not None and failure.retry_after is not None:
            headers["Retry-After"] = f"{failure.retry_after:g}"
        _reply(req, status, text.encode(), "text/plain", headers)

    def _take_failure(self, method: str) -> _Failure | None:
        for key in (method, "*"):
            queue = self._failures.get(key)
            if queue:
                return queue.popleft()
        return None

    def _channel_id(self, channel: str) -> str | None:
        name = channel.removeprefix("#")
        if name in self.channels:
            return name
        return next((cid for cid, n in self.channels.items() if n == name), None)

    def _api(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": self.workspace_url,
                "team": "Test",
                "user": "monitor",
                "team_id": "T0TEST",
                "user_id": "U0TEST",
                "bot_id": "B0TEST",
            }
        if method == "api.test":
            return {"ok": True}
        handler = {
            "chat.postMessage": self._post,
            "chat.update": self._update,
            "chat.getPermalink": self._permalink,
            "conversations.history": self._history,
            "conversations.replies": self._history,
        }.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        cid = self._channel_id(str(p.get("channel") or ""))
        if cid is None:
            return {"ok": False, "error": "channel_not_found"}
        return handler(cid, p, method)

    def _post(self, cid: str, p: dict[str, Any], method: str) -> dict[str, Any]:
        if not p.get("text") and not p.get("blocks"):
            return {"ok": False, "error": "no_text"}
        self._seq += 1
        ts = f"{int(time.time())}.{self._seq:06d}"
        thread_ts = p.get("thread_ts") or None
        if thread_ts and not any(m["ts"] == thread_ts for m in self._messages):
            return {"ok": False, "error": "thread_not_found"}
        message = {
            "type": "message",
            "channel": cid,
            "ts": ts,
            "text": p.get("text", ""),
            "blocks": _maybe_json(p.get("blocks")) or [],
            "thread_ts": thread_ts,
            "metadata": _maybe_json(p.get("metadata")),
            "edits": 0,
            "bot_id": "B0TEST",
        }
        self._messages.append(message)
        return {"ok": True, "channel": cid, "ts": ts, "message": _public(message, True)}

    def _update(self, cid: str, p: dict[str, Any], method: str) -> dict[str, Any]:
        for m in self._messages:
            if m["channel"] == cid and m["ts"] == p.get("ts"):
                m["text"] = p.get("text", m["text"])
                m["blocks"] = _maybe_json(p.get("blocks")) or m["blocks"]
                m["metadata"] = _maybe_json(p.get("metadata")) or m["metadata"]
                m["edits"] += 1
                return {"ok": True, "channel": cid, "ts": m["ts"], "text": m["text"]}
        return {"ok": False, "error": "message_not_found"}

    def _permalink(self, cid: str, p: dict[str, Any], method: str) -> dict[str, Any]:
        ts = str(p.get("message_ts") or "")
        if not any(m["channel"] == cid and m["ts"] == ts for m in self._messages):
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": cid, "permalink": self.permalink(ts, cid)}

    def _history(self, cid: str, p: dict[str, Any], method: str) -> dict[str, Any]:
        meta = str(p.get("include_all_metadata", "")).lower() in ("1", "true")
        oldest = float(p.get("oldest") or 0)
        if method == "conversations.replies":
            ts = p.get("ts")
            found = [m for m in self._messages if m["ts"] == ts or m.get("thread_ts") == ts]
            found = [m for m in found if m["channel"] == cid]
            if not found:
                return {"ok": False, "error": "thread_not_found"}
        else:  # newest first, top-level only, like Slack
            found = [
                m
                for m in reversed(self._messages)
                if m["channel"] == cid and m.get("thread_ts") in (None, m["ts"])
            ]
        found = [m for m in found if float(m["ts"]) >= oldest]
        start = int(p.get("cursor") or 0)
        limit = int(p.get("limit") or 100)
        page = found[start : start + limit]
        more = start + limit < len(found)
        return {
            "ok": True,
            "channel": cid,
            "messages": [_public(m, meta) for m in page],
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }


def _default_error(status: int) -> str:
    return "ratelimited" if status == 429 else "service_unavailable"


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        return json.loads(value)
    return value


def _public(m: dict[str, Any], with_metadata: bool) -> dict[str, Any]:
    out = {
        k: v for k, v in m.items() if k not in ("metadata", "channel", "edits") and v is not None
    }
    if with_metadata and m.get("metadata"):
        out["metadata"] = m["metadata"]
    return out


def _reply(
    req: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str, headers: dict[str, str]
) -> None:
    try:
        req.send_response(status)
        req.send_header("Content-Type", ctype)
        req.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            req.send_header(k, v)
        req.end_headers()
        req.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client was killed mid-request (the crash tests do that on purpose)
