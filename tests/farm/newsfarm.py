"""A news farm for benchmarks: many feeds on many loopback hosts, served by one asyncio thread.

    farm = NewsFarm(feeds=1000, items=20).start()
    farm.url(0)                          # http://127.0.0.2:PORT/f0.xml
    farm.mode = "unconditional"          # 200 with the same body, validators ignored
    farm.mode = "fresh"                  # every feed request shows one more unremarkable item
    when = farm.publish(7, article)      # a new item at the top of feed 7, from now on
    farm.requests_to(7)                  # when feed 7 was requested (time.time())
    farm.stop()

Feed i lives on host 127.0.0.(2 + i % hosts), each host its own listening socket, so a client's
per-host limits act as they do on the internet. Feeds carry ETag and Last-Modified and answer
304 to a matching conditional request ("conditional" mode, the default). Every item links to an
article page on the same host: the item's text inside a page of real-looking boilerplate
(navigation, a "most read" list, related stories, cookie notice, footer), generated on request.
`latency` delays every answer.

The items come from `items_from` (title, text) pairs, drawn in turn: the benchmark passes real
news from the development corpus, whose hard negatives mention missiles without a launch; by
default a few built-in lines, some of them hard negatives, serve the tests.

The server speaks just enough HTTP/1.1 for feed readers: GET and HEAD, keep-alive, no request
bodies. It listens on loopback only.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.utils import formatdate

from monitor.models import Article

MODES = ("conditional", "unconditional", "fresh")

BUILTIN_ITEMS: tuple[tuple[str, str], ...] = (
    ("Council approves budget for the harbour district", "The council approved the budget."),
    ("Rail strike ends after pay deal", "Train drivers accepted a pay offer on Monday."),
    ("Missile maker's shares rise on defence orders", "Shares of the missile maker rose 4%."),
    ("Lawmakers debate missile defence spending", "The committee discussed interceptor costs."),
    ("Local team wins cup final", "The home side won 2-1 in extra time."),
    ("Storm warning for the coast", "Forecasters expect gales through Thursday."),
)


@dataclass(frozen=True, slots=True)
class Item:
    guid: str
    title: str
    text: str
    published: float  # epoch seconds


class NewsFarm:
    """`feeds` feeds of `items` items each over `hosts` loopback addresses (at most 249)."""

    def __init__(
        self,
        feeds: int,
        items: int = 20,
        *,
        hosts: int = 249,
        latency: float = 0.0,
        items_from: Sequence[tuple[str, str]] = BUILTIN_ITEMS,
        start_time: float = 1_700_000_000.0,
    ) -> None:
        if not 1 <= hosts <= 249:
            raise ValueError("hosts: 1 to 249 loopback addresses (127.0.0.2-127.0.0.250)")
        self.feeds = feeds
        self.hosts = min(hosts, feeds)
        self.latency = latency
        self.mode = "conditional"
        self.ports: list[int] = []
        self.feed_requests = 0
        self.page_requests = 0
        self.not_modified = 0
        self.first_request: float | None = None  # time.time() of the first feed request
        self._items: dict[int, list[Item]] = {}
        self._bodies: dict[int, tuple[bytes, str, str]] = {}  # feed -> body, etag, last-modified
        self._versions: dict[int, int] = defaultdict(int)
        self._requests: dict[int, list[float]] = defaultdict(list)
        self._fresh = itertools.count()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._servers: list[asyncio.Server] = []
        self._connections: set[_Connection] = set()
        self._thread: threading.Thread | None = None
        pool = itertools.cycle(items_from)
        for i in range(feeds):
            self._items[i] = [
                Item(f"f{i}-{n}", *next(pool), start_time - 3600.0 * n) for n in range(items)
            ]
            self._render(i)

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> NewsFarm:
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self._loop)
            for h in range(self.hosts):
                server = self._loop.run_until_complete(
                    self._loop.create_server(
                        lambda: _Connection(self), host=f"127.0.0.{2 + h}", port=0, backlog=1024
                    )
                )
                self.ports.append(server.sockets[0].getsockname()[1])
                self._servers.append(server)
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, name="news-farm", daemon=True)
        self._thread.start()
        ready.wait(30)
        self.relink()  # links name their host and port, known only now
        return self

    def stop(self) -> None:
        async def shut() -> None:
            for server in self._servers:
                server.close()
            for connection in list(self._connections):
                if connection.transport is not None:
                    connection.transport.close()
            for server in self._servers:
                await server.wait_closed()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._loop.stop()

        asyncio.run_coroutine_threadsafe(shut(), self._loop)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._loop.close()

    # -- addresses ---------------------------------------------------------------------------
    def host_of(self, feed: int) -> str:
        h = feed % self.hosts
        return f"127.0.0.{2 + h}:{self.ports[h]}"

    def url(self, feed: int) -> str:
        return f"http://{self.host_of(feed)}/f{feed}.xml"

    def requests_to(self, feed: int) -> list[float]:
        with self._lock:
            return list(self._requests[feed])

    def polled(self) -> int:
        with self._lock:
            return len(self._requests)

    # -- content -----------------------------------------------------------------------------
    def publish(self, feed: int, article: Article) -> float:
        """Put `article` at the top of `feed` now; returns when (time.time())."""
        now = time.time()
        item = Item(f"f{feed}-{article.id}", article.title, article.text, now)
        with self._lock:
            self._items[feed].insert(0, item)
            self._render(feed)
        return now

    def _render(self, feed: int) -> None:
        self._versions[feed] += 1
        version = self._versions[feed]
        host = self.host_of(feed) if self.ports else "127.0.0.1"
        items = "".join(
            f"<item><title>{html.escape(it.title)}</title>"
            f"<link>http://{host}/a/{feed}/{html.escape(it.guid)}.html</link>"
            f'<guid isPermaLink="false">{html.escape(it.guid)}</guid>'
            f"<pubDate>{formatdate(it.published, usegmt=True)}</pubDate>"
            f"<description>{html.escape(it.text)}</description></item>"
            for it in self._items[feed]
        )
        body = (
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Outlet {feed}</title><link>http://{host}/</link>"
            f"<description>News from outlet {feed}</description>{items}</channel></rss>"
        ).encode()
        self._bodies[feed] = (
            body,
            f'"{feed}-{version}"',
            formatdate(1_700_000_000.0 + version, usegmt=True),
        )

    def relink(self) -> None:
        """Render every feed again once the ports are known (links name their host)."""
        with self._lock:
            for feed in range(self.feeds):
                self._versions[feed] -= 1
                self._render(feed)

    def _feed_reply(self, feed: int, headers: dict[bytes, bytes]) -> tuple[int, bytes, str, str]:
        with self._lock:
            now = time.time()
            self._requests[feed].append(now)
            self.feed_requests += 1
            if self.first_request is None:
                self.first_request = now
            if self.mode == "fresh":
                n = next(self._fresh)
                title, text = BUILTIN_ITEMS[n % 2 * 4 + 1]  # never a hard negative
                self._items[feed].insert(0, Item(f"fresh-{n}", title, text, time.time()))
                del self._items[feed][-1]
                self._render(feed)
            body, etag, modified = self._bodies[feed]
            conditional = self.mode == "conditional"
        if conditional and (
            headers.get(b"if-none-match", b"").decode() == etag
            or headers.get(b"if-modified-since", b"").decode() == modified
        ):
            with self._lock:
                self.not_modified += 1
            return 304, b"", etag, modified
        return 200, body, etag, modified

    def _page(self, feed: int, guid: str) -> bytes | None:
        with self._lock:
            self.page_requests += 1
            items = self._items.get(feed, [])
            found = next((it for it in items if it.guid == guid), None)
            related = [it.title for it in items[1:6]]
        if found is None:
            return None
        return article_page(found.title, found.text, related, found.published)


def article_page(title: str, text: str, related: Iterable[str], published: float) -> bytes:
    """A news page as sites serve them: the story wrapped in navigation and lists of links."""
    nav = "".join(
        f'<li><a href="/section/{s.lower()}">{s}</a></li>'
        for s in [
            "World",
            "Politics",
            "Business",
            "Technology",
            "Science",
            "Health",
            "Sport",
            "Culture",
            "Opinion",
            "Video",
            "Podcasts",
            "Weather",
            "Travel",
            "Climate",
            "Markets",
            "Companies",
            "Economy",
            "Europe",
            "Asia",
            "Americas",
        ]
    )
    most_read = "".join(
        f'<li><a href="/story/{n}">{html.escape(t)}</a></li>' for n, t in enumerate(related)
    )
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
    filler = "".join(
        f"<p>{line}</p>"
        for line in (
            "The statement was released late in the day and officials declined to say more.",
            "Analysts said the figures would be reviewed again at the end of the quarter.",
            "Further details are expected to be published in the coming days.",
        )
    )
    footer = "".join(
        f'<li><a href="/about/{n}">{t}</a></li>'
        for n, t in enumerate(
            [
                "About us",
                "Contact",
                "Careers",
                "Advertise",
                "Terms of use",
                "Privacy policy",
                "Cookie settings",
                "Accessibility",
                "Newsletters",
                "Corrections",
                "Sitemap",
                "Archive",
            ]
        )
    )
    when = formatdate(published, usegmt=True)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} | The Daily Outlet</title>"
        f'<meta property="og:title" content="{html.escape(title)}">'
        '<link rel="stylesheet" href="/static/site.css"><script src="/static/app.js"></script>'
        "</head><body>"
        '<div class="cookie-banner">We use cookies to improve your experience. '
        "<button>Accept all</button><button>Manage settings</button></div>"
        f'<header><a class="logo" href="/">The Daily Outlet</a><nav><ul>{nav}</ul></nav>'
        '<form class="search"><input name="q" placeholder="Search"></form></header>'
        "<main><article><h1>" + html.escape(title) + "</h1>"
        f'<div class="byline">By Staff Reporter · <time>{when}</time></div>'
        f'<div class="article-body">{paragraphs}{filler}</div>'
        '<div class="share">Share this story: Facebook Twitter Email</div></article>'
        f'<aside class="most-read"><h2>Most read</h2><ol>{most_read}</ol></aside>'
        f'<section class="related"><h2>Related stories</h2><ul>{most_read}</ul></section>'
        '<div class="newsletter">Sign up for our morning briefing. <input type="email">'
        "<button>Subscribe</button></div></main>"
        f"<footer><ul>{footer}</ul><p>© The Daily Outlet. All rights reserved.</p></footer>"
        "</body></html>"
    ).encode()


class _Connection(asyncio.Protocol):
    """One keep-alive connection: requests are answered in order."""

    def __init__(self, farm: NewsFarm) -> None:
        self.farm = farm
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.queue: asyncio.Queue[tuple[bytes, dict[bytes, bytes]] | None] = asyncio.Queue()
        self.worker: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.farm._connections.add(self)
        self.worker = asyncio.get_running_loop().create_task(self._answer_all())

    def connection_lost(self, exc: Exception | None) -> None:
        self.farm._connections.discard(self)
        self.queue.put_nowait(None)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            parts = lines[0].split(b" ")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            self.queue.put_nowait((b" ".join(parts[:2]), headers))

    async def _answer_all(self) -> None:
        while (request := await self.queue.get()) is not None:
            if self.farm.latency:
                await asyncio.sleep(self.farm.latency)
            line, headers = request
            method, _, path = line.decode("latin-1").partition(" ")
            status, body, extra = self._reply(path.split("?")[0], headers)
            if self.transport is None or self.transport.is_closing():
                return
            close = headers.get(b"connection", b"").lower() == b"close"
            head = [
                f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}",
                f"Content-Length: {len(body)}",
            ]
            head += [f"{k}: {v}" for k, v in extra.items()]
            if close:
                head.append("Connection: close")
            payload = ("\r\n".join(head) + "\r\n\r\n").encode()
            self.transport.write(payload + (body if method != "HEAD" else b""))
            if close:
                self.transport.close()
                return

    def _reply(self, path: str, headers: dict[bytes, bytes]) -> tuple[int, bytes, dict[str, str]]:
        farm = self.farm
        date = {"Date": formatdate(usegmt=True)}
        if path.startswith("/f") and path.endswith(".xml") and path[2:-4].isdigit():
            feed = int(path[2:-4])
            if feed < farm.feeds:
                status, body, etag, modified = farm._feed_reply(feed, headers)
                return (
                    status,
                    body,
                    {
                        **date,
                        "Content-Type": "application/rss+xml",
                        "ETag": etag,
                        "Last-Modified": modified,
                    },
                )
        if path.startswith("/a/"):
            _, _, feed_s, name = path.split("/", 3)
            page = farm._page(int(feed_s), name.removesuffix(".html")) if feed_s.isdigit() else None
            if page is not None:
                return 200, page, {**date, "Content-Type": "text/html; charset=utf-8"}
        return 404, b"not found", {**date, "Content-Type": "text/plain"}


_REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found"}
