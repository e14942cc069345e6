"""Sample feeds for `monitor demo`, served on 127.0.0.1.

Two outlets publish RSS feeds and article pages: the AP and Newsweek reports of the same launch
among unrelated stories (some with false friends such as "launches" and "missiles"), and a
report of another launch that appears a few seconds after the start. Pages carry navigation and
footer boilerplate so that extraction does real work.
"""

from __future__ import annotations

import html
import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class Story:
    outlet: str
    slug: str
    title: str
    text: str
    published: datetime
    delay: float  # seconds after the server starts before the story is in its feed


def load_stories() -> tuple[dict[str, dict[str, str]], list[Story]]:
    folder = resources.files("monitor") / "data" / "demo"
    spec: dict[str, Any] = json.loads((folder / "stories.json").read_text(encoding="utf-8"))
    stories = []
    for s in spec["stories"]:
        text = s.get("text") or (folder / s["file"]).read_text(encoding="utf-8")
        stories.append(
            Story(
                outlet=s["outlet"],
                slug=s["slug"],
                title=s["title"],
                text=text.strip(),
                published=datetime.fromisoformat(s["published"]),
                delay=float(s.get("delay", 0)),
            )
        )
    return spec["outlets"], stories


class DemoServer:
    """Serves /<outlet>/rss.xml and /<outlet>/<slug>.html until stopped."""

    HOST = "127.0.0.1"  # the demo's config allows exactly this address (network.allow)

    def __init__(self, delay_scale: float = 1.0) -> None:
        self.outlets, self.stories = load_stories()
        self.delay_scale = delay_scale
        self._started = time.monotonic()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, ctype, body = server.respond(self.path)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer((self.HOST, 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def feed_urls(self) -> dict[str, str]:
        return {o["name"]: f"{self.base_url}/{key}/rss.xml" for key, o in self.outlets.items()}

    def start(self) -> DemoServer:
        self._started = time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def visible(self) -> list[Story]:
        elapsed = time.monotonic() - self._started
        return [s for s in self.stories if s.delay * self.delay_scale <= elapsed]

    def respond(self, path: str) -> tuple[int, str, bytes]:
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] in self.outlets:
            outlet, name = parts
            if name == "rss.xml":
                return 200, "application/rss+xml; charset=utf-8", self._rss(outlet)
            for s in self.visible():
                if s.outlet == outlet and name == f"{s.slug}.html":
                    return 200, "text/html; charset=utf-8", self._page(s)
        return 404, "text/plain", b"not found"

    def _rss(self, outlet: str) -> bytes:
        meta = self.outlets[outlet]
        items = []
        for s in sorted(self.visible(), key=lambda s: s.published, reverse=True):
            if s.outlet != outlet:
                continue
            link = f"{self.base_url}/{outlet}/{s.slug}.html"
            lede = s.text.split("\n", 1)[0]
            items.append(
                f"<item><title>{html.escape(s.title)}</title><link>{link}</link>"
                f'<guid isPermaLink="true">{link}</guid>'
                f"<pubDate>{format_datetime(s.published)}</pubDate>"
                f"<description>{html.escape(lede)}</description></item>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{html.escape(meta['title'])}</title><link>{self.base_url}/{outlet}/</link>"
            f"<description>{html.escape(meta['title'])}</description>"
            + "".join(items)
            + "</channel></rss>"
        ).encode()

    def _page(self, s: Story) -> bytes:
        name = html.escape(self.outlets[s.outlet]["name"])
        paras = "".join(f"<p>{html.escape(p)}</p>" for p in s.text.split("\n") if p.strip())
        return (
            "<!doctype html><html><head><meta charset='utf-8'>"
            f"<title>{html.escape(s.title)} | {name}</title>"
            f"<meta property='article:published_time' content='{s.published.isoformat()}'>"
            "</head><body>"
            f"<header><nav><a href='/'>{name}</a> <a href='/world'>World</a> "
            "<a href='/business'>Business</a> <a href='/subscribe'>Subscribe</a></nav></header>"
            f"<main><article><h1>{html.escape(s.title)}</h1>"
            f"<p class='byline'>{name} staff</p>{paras}</article></main>"
            "<aside><h2>Most read</h2><ul><li><a href='/a'>Ten recipes for winter</a></li>"
            "<li><a href='/b'>Markets wrap</a></li></ul></aside>"
            f"<footer><p>&copy; {name}. All rights reserved.</p>"
            "<p><a href='/privacy'>Privacy</a> <a href='/terms'>Terms</a></p></footer>"
            "</body></html>"
        ).encode()
