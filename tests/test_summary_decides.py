"""Title and summary decide first: an entry whose summary holds its lead and, read with the
title, shows no launch costs no page download, even with missile words in it. A launch report,
or a summary too short to decide on, still has its page fetched. Polled over real HTTP on
loopback; the server's log says which pages were asked for."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from monitor.service import Service
from tests import test_hostile_feeds as hostile
from tests.servers.http import FeedServer
from tests.servers.news import AP_TITLE, page
from tests.test_hostile_feeds import AP_TEXT, article_gets, poll, rss, seen

# The hostile-feeds suite's server and service, as fixtures here too.
server = hostile.server
build = hostile.build

# Written for this test: missile words, no launch.
BUDGET = (
    "Parliament debates the missile defence budget",
    "Lawmakers argued on Tuesday over how much to spend on missile defence next year, with the "
    "finance committee asking the ministry to explain the cost of new interceptors.",
)
MUSEUM = (
    "Museum opens a hall on the history of rockets and missiles",
    "A new hall tells the story of early rockets and cold war missiles through engines, "
    "drawings and film, and opens to visitors on Saturday with free entry for children.",
)
SHORT = ("Missile defence budget debated", "Lawmakers met.")
LAUNCH = (
    AP_TITLE,
    "North Korea fired a ballistic missile into the sea on Wednesday, the U.S. military and "
    "South Korea said, in its first launch of the year.",
)


async def test_a_summary_with_no_launch_spares_the_page_a_report_does_not(
    server: FeedServer, build: Callable[..., Awaitable[Service]]
) -> None:
    items = {"budget": BUDGET, "museum": MUSEUM, "short": SHORT, "launch": LAUNCH}
    for name, (title, _) in items.items():
        text = AP_TEXT if name == "launch" else f"{title}. Nothing about any launch here."
        server.set(f"/a/{name}.html", page(title, "Outlet", text))
    server.set(
        "/feed.xml",
        rss(
            [
                (None, server.url(f"/a/{name}.html"), title, summary)
                for name, (title, summary) in items.items()
            ]
        ),
    )
    svc = await build()
    result = await poll(svc)

    fetched = sorted(article_gets(server, "/a/"))
    assert fetched == ["/a/launch.html", "/a/short.html"], fetched
    assert result.new_entries == 4 and result.new_events == 1
    # Spared entries are settled: the next poll does not ask for their pages either.
    for name in items:
        assert await seen(svc, server.url(f"/a/{name}.html")), name
    await poll(svc)
    assert sorted(article_gets(server, "/a/")) == fetched
