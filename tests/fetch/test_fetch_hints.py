"""A fetch failure says what to check, and the hint follows the cause: offline, every feed used
to say "check the URL for typos". Only loopback is ever connected to; name lookups are answered
by a resolver given to the client."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from monitor.config import PollingConfig
from monitor.errors import FetchError, FetchTimeout, HTTPStatusError
from monitor.fetch import Fetcher, make_client
from monitor.netpolicy import IPAddress
from tests.servers import loopback
from tests.servers.http import FeedServer
from tests.servers.smtp import make_certificate

CFG = PollingConfig(timeout=1.0, poll_deadline=5.0)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _fetch(url: str, resolve: object = None) -> FetchError:
    kwargs = {"resolve": resolve} if resolve is not None else {}
    async with make_client(CFG, loopback.policy(), **kwargs) as client:  # type: ignore[arg-type]
        with pytest.raises(FetchError) as caught:
            await Fetcher(client, CFG).fetch(url)
    return caught.value


def _failing_resolver(errno: int, text: str) -> object:
    async def resolve(host: str, port: int) -> Sequence[IPAddress]:
        raise socket.gaierror(errno, text)

    return resolve


@pytest.mark.parametrize(
    ("errno", "text", "expected", "not_expected"),
    [
        pytest.param(
            socket.EAI_NONAME,
            "Name or service not known",
            "the name news.example does not resolve; check the host name in the URL, and if every "
            "feed fails like this, that this machine has network access and a working DNS",
            "typos",
            id="no-such-name",
        ),
        pytest.param(
            socket.EAI_AGAIN,
            "Temporary failure in name resolution",
            "the name news.example could not be looked up (",
            "check the host name",
            id="dns-unreachable",
        ),
    ],
)
async def test_a_name_that_does_not_resolve_points_at_the_name_and_the_network(
    errno: int, text: str, expected: str, not_expected: str
) -> None:
    error = await _fetch("https://news.example/feed.xml", _failing_resolver(errno, text))
    assert str(error).startswith("https://news.example/feed.xml: cannot connect to news.example")
    assert expected in str(error)
    assert not_expected not in str(error)


async def test_a_slow_name_lookup_is_a_timeout_that_mentions_the_network() -> None:
    async def slow(host: str, port: int) -> Sequence[IPAddress]:
        await asyncio.sleep(10)
        return []

    error = await _fetch("https://news.example/feed.xml", slow)
    assert isinstance(error, FetchTimeout)
    assert "within 1 s" in str(error)
    assert "when every feed times out, this machine's network or DNS" in str(error)


async def test_a_refused_connection_says_the_server_is_down_or_the_port_wrong() -> None:
    port = _closed_port()
    error = await _fetch(f"http://127.0.0.1:{port}/feed.xml")
    assert f"cannot connect to 127.0.0.1:{port}: connection refused; the server is down or " in (
        str(error)
    )
    assert "the port in the URL is wrong" in str(error)


async def test_https_to_a_plain_http_port_is_a_tls_handshake_failure() -> None:
    with FeedServer() as server:
        server.set("/feed.xml", b"<rss/>")
        error = await _fetch(f"https://127.0.0.1:{server.port}/feed.xml")
    assert "the TLS handshake failed" in str(error)
    assert "check http:// or https://" in str(error)


@pytest.fixture
async def tls_server(tmp_path: Path) -> AsyncIterator[int]:
    """A loopback HTTPS server with a self-signed certificate, which no client trusts."""
    cert, key = make_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    async with server:
        yield int(server.sockets[0].getsockname()[1])


async def test_an_untrusted_certificate_says_so(tls_server: int) -> None:
    error = await _fetch(f"https://127.0.0.1:{tls_server}/feed.xml")
    assert "its TLS certificate is not trusted" in str(error)
    assert "expired, self-signed or for another name" in str(error)


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        pytest.param(403, "HTTP 403: the server refuses access", id="403"),
        pytest.param(404, "HTTP 404: nothing at this address (any more); check the URL", id="404"),
        pytest.param(410, "HTTP 410: nothing at this address", id="410"),
        pytest.param(429, "HTTP 429: too many requests; it is fetched again later", id="429"),
        pytest.param(503, "HTTP 503: the server failed; it is fetched again later", id="503"),
    ],
)
async def test_an_http_status_says_what_it_means(status: int, hint: str) -> None:
    with FeedServer() as server:
        server.set("/feed.xml", b"no", status=status)
        error = await _fetch(server.url("/feed.xml"))
    assert isinstance(error, HTTPStatusError) and error.status == status
    assert hint in str(error)


async def test_a_server_that_does_not_answer_in_time_names_the_setting() -> None:
    with FeedServer() as server:
        server.set("/feed.xml", b"<rss/>", delay=2.0)
        error = await _fetch(server.url("/feed.xml"))
    assert isinstance(error, FetchTimeout)
    assert "within 1 s" in str(error) and "polling.timeout" in str(error)
