"""Sample news for tests: two outlets' feeds and article pages on a FeedServer.

The AP report of North Korea's 5 January 2022 launch and Newsweek's rewrite of it (the seeds),
among unrelated stories with false friends ("launches", "fans threw missiles").
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from tests.servers.http import FeedServer

SEEDS = Path(__file__).parents[1] / "data" / "seeds"
AP_TITLE = "North Korea fires ballistic missile into sea, US military says"
NW_TITLE = "North Korea's Military Buildup Continues With Latest Ballistic Missile Launch"

UNRELATED = {
    "rates": (
        "Central bank holds rates as inflation eases",
        "The central bank kept its benchmark rate unchanged on Wednesday. Policymakers said "
        "inflation had eased for a third month and that any cut would wait for firmer evidence.",
    ),
    "phone": (
        "Tech firm launches its cheapest smartphone yet",
        "The company launched its cheapest smartphone yet on Wednesday, aiming at first-time "
        "buyers. The launch event showed a device with a large battery and a modest camera.",
    ),
    "derby": (
        "Derby halted as fans threw missiles onto the pitch",
        "The derby was halted for ten minutes after fans threw missiles onto the pitch following "
        "the second goal. The league said it would investigate.",
    ),
}


def page(title: str, outlet: str, text: str) -> bytes:
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
    return (
        f"<!doctype html><html><head><title>{html.escape(title)} | {outlet}</title></head><body>"
        f"<nav><a href='/'>{outlet}</a> <a href='/world'>World</a> <a href='/sub'>Subscribe</a>"
        f"</nav><article><h1>{html.escape(title)}</h1>{paras}</article>"
        "<footer><p>All rights reserved.</p><a href='/privacy'>Privacy</a></footer></body></html>"
    ).encode()


def rss(server: FeedServer, outlet: str, items: list[tuple[str, str, str, datetime]]) -> bytes:
    body = "".join(
        f"<item><title>{html.escape(title)}</title><link>{server.url(path)}</link>"
        f"<guid>{server.url(path)}</guid><pubDate>{format_datetime(when)}</pubDate>"
        f"<description>{html.escape(summary)}</description></item>"
        for title, path, summary, when in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{outlet}</title>'
        f"<link>{server.base_url}</link><description>{outlet}</description>{body}"
        "</channel></rss>"
    ).encode()


def publish(server: FeedServer) -> None:
    """Serve the two outlets: /ap/rss.xml and /nw/rss.xml with their article pages."""
    ap_text = (SEEDS / "ap-2022-01-05-north-korea-missile.txt").read_text()
    nw_text = (SEEDS / "newsweek-2022-01-05-north-korea-missile.txt").read_text()
    nw_text = nw_text.split("\n", 1)[1]  # the file's first line is the headline
    morning = datetime(2022, 1, 5, 1, 30, tzinfo=UTC)
    evening = datetime(2022, 1, 5, 14, 0, tzinfo=UTC)

    server.set("/ap/nk-missile.html", page(AP_TITLE, "AP", ap_text))
    server.set("/nw/nk-buildup.html", page(NW_TITLE, "Newsweek", nw_text))
    ap_items = [(AP_TITLE, "/ap/nk-missile.html", ap_text.split("\n")[0], morning)]
    nw_items = [(NW_TITLE, "/nw/nk-buildup.html", nw_text.strip().split("\n")[0], evening)]
    for i, (key, (title, text)) in enumerate(UNRELATED.items()):
        path = f"/{'ap' if i % 2 else 'nw'}/{key}.html"
        server.set(path, page(title, "x", text))
        (ap_items if i % 2 else nw_items).append((title, path, text, morning))
    server.set("/ap/rss.xml", rss(server, "AP", ap_items), etag='"ap-1"')
    server.set("/nw/rss.xml", rss(server, "Newsweek", nw_items), etag='"nw-1"')
