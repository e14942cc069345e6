"""A scriptable HTTP server on loopback (127.0.0.1, or another 127.x address) for tests and demos.

    with FeedServer() as server:
        server.set("/feed.xml", body=feed_bytes, etag='"v1"')
        url = server.url("/feed.xml")
        ...
        assert server.requests[-1].headers["If-None-Match"] == '"v1"'

Each path maps to one `Reply` or a script of replies consumed one per request (the last one
repeats). A reply can carry an ETag and a Last-Modified date: the server then answers 304 to a
matching If-None-Match / If-Modified-Since, as real feed servers do. Replies can be slow
(`delay`), huge (`size`, streamed without holding it in memory), redirects, or a dropped
connection (`drop`). Every request is recorded in `requests`.

The service refuses loopback addresses unless its config allows them: see tests.servers.loopback.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

__all__ = ["FeedServer", "Reply", "Request"]

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Reply:
    """What the server answers on one path."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    etag: str | None = None  # sent as ETag; a matching If-None-Match gets 304
    last_modified: float | None = None  # epoch seconds; sent as Last-Modified, honoured too
    delay: float = 0.0  # seconds to wait before answering
    size: int | None = None  # stream this many bytes of filler instead of `body`
    drop: bool = False  # close the connection without answering

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Reply:
        return cls(status=status, headers={"Location": location})


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    method: str
    path: str
    headers: Mapping[str, str]
    time: float


class FeedServer:
    """A threaded HTTP server on a loopback address (random free port) serving scripted replies.

    Other loopback addresses (127.0.0.2, 127.0.0.3...) are distinct hosts to a client.
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        if not host.startswith("127."):
            raise ValueError(f"{host}: test servers listen on loopback only")
        self.host = host
        self.requests: list[Request] = []
        self._routes: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> FeedServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- scripting ---------------------------------------------------------------------------
    def set(self, path: str, body: bytes | str = b"", status: int = 200, **kw: object) -> None:
        """Serve one reply on `path` from now on. Keywords are `Reply` fields."""
        data = body.encode() if isinstance(body, str) else body
        self.script(path, [Reply(status=status, body=data, **kw)])  # type: ignore[arg-type]

    def script(self, path: str, replies: Iterable[Reply]) -> None:
        """Serve these replies in turn, one per request; the last one then repeats."""
        items = list(replies)
        if not items:
            raise ValueError("a script needs at least one reply")
        with self._lock:
            self._routes[path] = items

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _next_reply(self, path: str) -> Reply | None:
        with self._lock:
            replies = self._routes.get(path)
            if not replies:
                return None
            return replies.pop(0) if len(replies) > 1 else replies[0]

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)


def _not_modified(reply: Reply, headers: Mapping[str, str]) -> bool:
    inm = headers.get("If-None-Match")
    if reply.etag is not None and inm is not None:
        return reply.etag in (t.strip() for t in inm.split(","))
    ims = headers.get("If-Modified-Since")
    if reply.last_modified is not None and ims is not None:
        return ims == formatdate(reply.last_modified, usegmt=True)
    return False


def _handler_for(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._answer(with_body=True)

        def do_HEAD(self) -> None:
            self._answer(with_body=False)

        def _answer(self, *, with_body: bool) -> None:
            path = self.path
            server._record(Request(self.command, path, dict(self.headers.items()), time.time()))
            reply = server._next_reply(path) or Reply(status=404, body=b"not found")
            if reply.delay:
                time.sleep(reply.delay)
            if reply.drop:
                self.close_connection = True
                return
            if reply.status == 200 and _not_modified(reply, self.headers):
                self.send_response(304)
                self._validators(reply)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            length = reply.size if reply.size is not None else len(reply.body)
            self.send_response_only(reply.status)
            if "Date" not in reply.headers:
                self.send_header("Date", self.date_time_string())
            self._validators(reply)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(length))
            self.end_headers()
            if with_body:
                self._write_body(reply, length)

        def _validators(self, reply: Reply) -> None:
            if reply.etag is not None:
                self.send_header("ETag", reply.etag)
            if reply.last_modified is not None:
                self.send_header("Last-Modified", formatdate(reply.last_modified, usegmt=True))

        def _write_body(self, reply: Reply, length: int) -> None:
            try:
                if reply.size is None:
                    self.wfile.write(reply.body)
                    return
                filler = b"x" * _CHUNK
                left = length
                while left > 0:
                    self.wfile.write(filler[: min(left, _CHUNK)])
                    left -= _CHUNK
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client stopped reading, as it may

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output quiet

    return Handler
