"""The fetch edge against a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
from collections.abc import AsyncIterator, Iterator

import pytest

from monitor.config import PollingConfig
from monitor.errors import FetchError, FetchTimeout, HTTPStatusError
from monitor.fetch import Fetcher, make_client, outcome_of, parse_retry_after
from tests.servers import loopback
from tests.servers.http import FeedServer, Reply

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as s:
        yield s


@pytest.fixture
def cfg() -> PollingConfig:
    return PollingConfig(timeout=1.0, max_body_bytes=100_000, max_redirects=3)


@pytest.fixture
async def fetcher(cfg: PollingConfig) -> AsyncIterator[Fetcher]:
    async with make_client(cfg, loopback.policy()) as client:
        yield Fetcher(client, cfg)


async def test_conditional_get_with_etag(server: FeedServer, fetcher: Fetcher) -> None:
    server.set("/feed", FEED, etag='"v1"', headers={"Cache-Control": "public, max-age=600"})
    first = await fetcher.fetch(server.url("/feed"))
    assert (first.status, first.body, first.etag, first.max_age) == (200, FEED, '"v1"', 600.0)
    second = await fetcher.fetch(server.url("/feed"), etag=first.etag)
    assert second.status == 304 and second.not_modified and second.body == b""
    sent = server.requests_to("/feed")
    assert sent[1].headers["If-None-Match"] == '"v1"'
    assert sent[0].headers["User-Agent"].startswith("monitor/")
    assert "rss+xml" in sent[0].headers["Accept"]


async def test_conditional_get_with_last_modified(server: FeedServer, fetcher: Fetcher) -> None:
    server.set("/feed", FEED, last_modified=1_700_000_000)
    first = await fetcher.fetch(server.url("/feed"))
    assert first.last_modified == "Tue, 14 Nov 2023 22:13:20 GMT"
    second = await fetcher.fetch(server.url("/feed"), last_modified=first.last_modified)
    assert second.status == 304


async def test_extra_headers_are_sent(server: FeedServer, fetcher: Fetcher) -> None:
    server.set("/feed", FEED)
    await fetcher.fetch(server.url("/feed"), headers=[("X-Api-Key", "k1")])
    assert server.requests[-1].headers["X-Api-Key"] == "k1"


async def test_redirect_is_followed_and_final_url_reported(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.script("/old", [Reply.redirect("/new", 301)])
    server.set("/new", FEED)
    result = await fetcher.fetch(server.url("/old"))
    assert result.url == server.url("/new") and result.body == FEED


async def test_cache_hints(server: FeedServer, fetcher: Fetcher) -> None:
    server.set(
        "/feed",
        FEED,
        headers={
            "Date": "Tue, 14 Nov 2023 22:00:00 GMT",
            "Expires": "Tue, 14 Nov 2023 22:30:00 GMT",
            "Retry-After": "90",
        },
    )
    result = await fetcher.fetch(server.url("/feed"))
    assert (result.max_age, result.expires, result.retry_after) == (None, 1800.0, 90.0)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("reply", "error", "words", "outcome"),
    [
        (Reply(status=404, body=b"gone"), HTTPStatusError, "HTTP 404", "http_404"),
        (Reply(status=500), HTTPStatusError, "HTTP 500", "http_5xx"),
        (Reply(body=FEED, delay=2.0), FetchTimeout, "within 1 s", "timeout"),
        (Reply(size=5_000_000), FetchError, "larger than 100,000 bytes", "too_large"),
        (Reply.redirect("/loop"), FetchError, "more than 3 redirects", "redirects"),
        (Reply(drop=True), FetchError, "connection failed", "fetch_error"),
    ],
    ids=["404", "500", "timeout", "huge", "redirect-loop", "dropped"],
)
async def test_failures_raise_the_right_error(
    server: FeedServer,
    fetcher: Fetcher,
    reply: Reply,
    error: type[FetchError],
    words: str,
    outcome: str,
) -> None:
    server.script("/loop", [reply])
    url = server.url("/loop")
    with pytest.raises(error) as caught:
        await fetcher.fetch(url)
    assert type(caught.value) is error
    assert str(caught.value).startswith(url) and words in str(caught.value)
    assert outcome_of(caught.value) == outcome


async def test_huge_body_without_content_length_is_cut_while_streaming(
    fetcher: Fetcher,
) -> None:
    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n\r\n")
        try:
            for _ in range(1000):
                writer.write(b"x" * 65536)
                await writer.drain()
        except ConnectionError:
            pass
        writer.close()

    srv = await asyncio.start_server(endless, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    with pytest.raises(FetchError, match="larger than"):
        await fetcher.fetch(f"http://127.0.0.1:{port}/")
    srv.close()


async def test_unreachable_host(fetcher: Fetcher) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/feed"
    with pytest.raises(FetchError, match=r"cannot connect to 127\.0\.0\.1") as caught:
        await fetcher.fetch(url)
    assert caught.value.url == url and outcome_of(caught.value) == "connect"


async def test_retry_after_is_carried_on_429(server: FeedServer, fetcher: Fetcher) -> None:
    server.set("/feed", status=429, headers={"Retry-After": "120"})
    with pytest.raises(HTTPStatusError) as caught:
        await fetcher.fetch(server.url("/feed"))
    assert (caught.value.status, caught.value.retry_after) == (429, 120.0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("120", 120.0), ("Tue, 14 Nov 2023 22:15:00 GMT", 100.0), ("soon", None), (None, None)],
    ids=["seconds", "http-date", "garbage", "absent"],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=1_700_000_000.0) == expected


async def test_per_host_concurrency_limit(server: FeedServer) -> None:
    cfg = PollingConfig(timeout=5.0, per_host_concurrency=1)
    server.set("/slow", FEED, delay=0.2)
    async with make_client(cfg, loopback.policy()) as client:
        fetcher = Fetcher(client, cfg)
        await asyncio.gather(*(fetcher.fetch(server.url("/slow")) for _ in range(3)))
    times = sorted(r.time for r in server.requests_to("/slow"))
    # One at a time: each request arrives only after the previous answer (0.2 s later).
    assert all(b - a >= 0.15 for a, b in itertools.pairwise(times))


async def test_per_host_limit_is_per_origin_so_another_port_is_not_held_up() -> None:
    # Each server answers only once both requests have arrived: with one slot per host (not
    # per host and port) the second request would wait for the first, which would time out.
    cfg = PollingConfig(timeout=2.0, per_host_concurrency=1)
    arrived: list[int] = []
    both = asyncio.Event()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        arrived.append(1)
        if len(arrived) == 2:
            both.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(both.wait(), timeout=3)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    servers = [await asyncio.start_server(answer, "127.0.0.1", 0) for _ in range(2)]
    urls = [f"http://127.0.0.1:{s.sockets[0].getsockname()[1]}/feed" for s in servers]
    try:
        async with make_client(cfg, loopback.policy()) as client:
            fetcher = Fetcher(client, cfg)
            results = await asyncio.gather(*(fetcher.fetch(url) for url in urls))
    finally:
        for s in servers:
            s.close()
            await s.wait_closed()
    assert [r.body for r in results] == [b"ok", b"ok"]
