"""The fetch edge: one polite HTTP GET, turned into a `FetchResult` or a `FetchError`.

Conditional GET with the stored ETag / Last-Modified, a whole-request timeout, a body size cap
enforced while streaming (decoded bytes, so a gzip bomb stops too), a redirect limit, and at most
`per_host_concurrency` requests to one origin (scheme, host, port) at a time. Cache hints
(max-age, Expires, Retry-After) are returned in seconds so `monitor.schedule` can plan the next
poll. Every connection, redirects included, goes through the network policy (`monitor.netguard`):
an address it refuses raises `AddressRefused`, is logged once and counted in
`monitor_ssrf_blocked_total`.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urlsplit

import httpx

from monitor import metrics
from monitor.config import PollingConfig
from monitor.errors import AddressRefused, FetchError, FetchTimeout, HTTPStatusError, ParseError
from monitor.netguard import (
    ALLOW_EXTENSION,
    BlockedAddress,
    GuardedTransport,
    Resolver,
    system_resolve,
)
from monitor.netpolicy import IPNetwork, NetworkPolicy

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.8"
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|,)\s*(?:no-cache|no-store)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A successful fetch: 200 with a body, or 304 (body empty: use what you have)."""

    url: str  # final URL, after redirects
    status: Literal[200, 304]
    body: bytes
    etag: str | None
    last_modified: str | None
    max_age: float | None  # Cache-Control max-age, seconds
    expires: float | None  # Expires minus the response's Date, seconds
    retry_after: float | None  # seconds
    elapsed: float  # seconds, request start to last body byte
    content_type: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def body_hash(self) -> str:
        return body_hash(self.body)


def body_hash(body: bytes) -> str:
    """A short stable digest of a body: equal digests mean there is nothing new to parse."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def make_client(
    cfg: PollingConfig,
    policy: NetworkPolicy | None = None,
    *,
    resolve: Resolver = system_resolve,
) -> httpx.AsyncClient:
    """The shared HTTP client: redirects followed up to the limit, our User-Agent, pooled, and
    every connection checked against `policy` (default: public addresses only).

    The transport is httpx's own with a guarded network backend (`monitor.netguard`). Because a
    transport is given, httpx ignores HTTP(S)_PROXY: through a proxy the check would only see
    the proxy's address. The fetch tests pin the redirect, timeout, streaming and refusal
    behaviour any replacement transport must keep.
    """
    limits = httpx.Limits(
        max_connections=cfg.concurrency,
        max_keepalive_connections=cfg.concurrency,
        keepalive_expiry=30.0,
    )
    return httpx.AsyncClient(
        headers={"User-Agent": cfg.user_agent},
        timeout=httpx.Timeout(cfg.timeout),
        follow_redirects=True,
        max_redirects=cfg.max_redirects,
        transport=GuardedTransport(
            policy if policy is not None else NetworkPolicy(), limits, resolve=resolve
        ),
    )


class Fetcher:
    """GETs feeds and pages with a per-origin concurrency limit. One per service."""

    def __init__(
        self, client: httpx.AsyncClient, cfg: PollingConfig, *, now: Callable[[], float] = time.time
    ) -> None:
        self._client = client
        self._cfg = cfg
        self._now = now
        self._origins: dict[tuple[str, str, int | None], asyncio.Semaphore] = {}

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: Iterable[tuple[str, str]] = (),
        accept: str = FEED_ACCEPT,
        allow_networks: Sequence[IPNetwork] = (),
    ) -> FetchResult:
        """GET `url`; 304 when the validators still match. Raises FetchError subclasses.

        `allow_networks`: non-public networks this request and its redirects may reach besides
        those the client's policy allows; the service passes the feed's (`Feed.allow_networks`)
        for the feed and its article pages.
        """
        request_headers = {"Accept": accept, **dict(headers)}
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        limit = self._origins.setdefault(
            _origin(url), asyncio.Semaphore(self._cfg.per_host_concurrency)
        )
        async with limit:
            try:
                async with asyncio.timeout(self._cfg.timeout):
                    return await self._get(url, request_headers, tuple(allow_networks))
            except TimeoutError:
                raise FetchTimeout(
                    url,
                    f"no complete answer within {self._cfg.timeout:g} s; the site may be slow "
                    "or down, or, when every feed times out, this machine's network or DNS "
                    "(polling.timeout sets the limit)",
                ) from None

    async def _get(
        self, url: str, headers: dict[str, str], allow_networks: tuple[IPNetwork, ...]
    ) -> FetchResult:
        started = time.perf_counter()
        extensions = {ALLOW_EXTENSION: allow_networks} if allow_networks else None
        try:
            async with self._client.stream(
                "GET", url, headers=headers, extensions=extensions
            ) as response:
                status = response.status_code
                if status == 304:
                    body = b""
                elif 200 <= status < 300:
                    body = await self._read_capped(url, response)
                else:
                    raise HTTPStatusError(
                        url, status, retry_after=self._retry_after(response.headers)
                    )
                return FetchResult(
                    url=str(response.url),
                    status=304 if status == 304 else 200,
                    body=body,
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                    max_age=_max_age(response.headers.get("Cache-Control")),
                    expires=_expires(response.headers, self._now),
                    retry_after=self._retry_after(response.headers),
                    elapsed=time.perf_counter() - started,
                    content_type=response.headers.get("Content-Type", ""),
                )
        except BlockedAddress as exc:
            raise _refused(url, exc) from None
        except httpx.ConnectTimeout as exc:
            raise FetchTimeout(url, _connect_timeout(exc, url, self._cfg.timeout)) from None
        except httpx.TimeoutException:
            raise FetchTimeout(
                url,
                f"the server did not answer within {self._cfg.timeout:g} s; it may be slow or "
                "overloaded (polling.timeout sets the limit)",
            ) from None
        except httpx.TooManyRedirects:
            raise FetchError(
                url,
                f"more than {self._cfg.max_redirects} redirects; open the URL in a browser and "
                "use the address it ends on",
            ) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError(url, f"not a URL we can fetch ({exc})") from None
        except httpx.ConnectError as exc:
            raise FetchError(url, f"cannot connect to {_host(url)}: {_reason(exc, url)}") from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"the connection failed: {_reason(exc, url)}") from None

    async def _read_capped(self, url: str, response: httpx.Response) -> bytes:
        cap = self._cfg.max_body_bytes
        too_big = (
            f"the response is larger than {cap:,} bytes; this is not a normal feed or "
            "article (polling.max_body_bytes sets the limit)"
        )
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(url, too_big)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise FetchError(url, too_big)
            chunks.append(chunk)
        return b"".join(chunks)

    def _retry_after(self, headers: httpx.Headers) -> float | None:
        return parse_retry_after(headers.get("Retry-After"), _reference_time(headers, self._now))


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Retry-After as seconds from `now`: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = _http_date(value)
    return None if when is None else max(0.0, when - now)


def outcome_of(exc: BaseException) -> str:
    """A short label for a failed poll, for metrics and `monitor status`."""
    if isinstance(exc, FetchTimeout):
        return "timeout"
    if isinstance(exc, HTTPStatusError):
        return (
            f"http_{exc.status}"
            if exc.status in (403, 404, 410, 429)
            else f"http_{exc.status // 100}xx"
        )
    if isinstance(exc, AddressRefused):
        return "refused"
    if isinstance(exc, FetchError):
        if "larger than" in exc.reason:
            return "too_large"
        if "redirects" in exc.reason:
            return "redirects"
        if "cannot connect" in exc.reason:
            return "connect"
        return "fetch_error"
    if isinstance(exc, ParseError):
        return "not_a_feed"
    return "error"


def _max_age(cache_control: str | None) -> float | None:
    if not cache_control or _NO_CACHE.search(cache_control):
        return None
    m = _MAX_AGE.search(cache_control)
    return float(m.group(1)) if m else None


def _expires(headers: httpx.Headers, now: Callable[[], float]) -> float | None:
    expires = headers.get("Expires")
    if not expires:
        return None
    when = _http_date(expires)
    if when is None:
        return 0.0  # "Expires: 0" and other invalid dates mean already expired
    return max(0.0, when - _reference_time(headers, now))


def _reference_time(headers: httpx.Headers, now: Callable[[], float]) -> float:
    return _http_date(headers.get("Date", "")) or now()


def _http_date(value: str) -> float | None:
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def _refused(url: str, blocked: BlockedAddress) -> AddressRefused:
    """The user's error for a refused connection, logged once and counted."""
    verdict = blocked.verdict
    address = str(verdict.address)
    where = blocked.host if blocked.host == address else f"{blocked.host} ({address})"
    asked = (urlsplit(url).hostname or "").lower()
    via = "" if asked == blocked.host.lower() else ", reached by a redirect"
    error = AddressRefused(
        url,
        f"refused to connect to {where}{via}: {verdict.reason}",
        address=address,
        address_class=verdict.address_class.value,
    )
    metrics.SSRF_BLOCKED.labels(address_class=error.address_class).inc()
    log.warning(
        "refused a connection to a %s address: %s",
        verdict.address_class.text,
        error,
        extra={
            "url": url,
            "stage": "fetch",
            "host": blocked.host,
            "address": address,
            "address_class": error.address_class,
        },
    )
    return error


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        port = None  # a bad port: httpx refuses the URL itself
    return scheme, (parts.hostname or "").lower(), port


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


_NO_SUCH_NAME = ("name or service not known", "nodename nor servname", "no address associated")
_NO_DNS = ("temporary failure in name resolution", "name resolution", "getaddrinfo failed")
_NO_ROUTE = ("network is unreachable", "no route to host")


def _reason(exc: Exception, url: str) -> str:
    """Why a connection failed, with what to check: the hint depends on the cause, which may
    be a few exceptions down (anyio says "All connection attempts failed" over the refusal)."""
    text = str(exc) or type(exc).__name__
    low = " | ".join(f"{type(e).__name__}: {e}" for e in _chain(exc)).lower()
    host = urlsplit(url).hostname or url
    if any(m in low for m in _NO_SUCH_NAME):
        return (
            f"the name {host} does not resolve; check the host name in the URL, and if every "
            "feed fails like this, that this machine has network access and a working DNS"
        )
    if any(m in low for m in _NO_DNS):
        return (
            f"the name {host} could not be looked up ({text}); this machine may be offline or "
            "its DNS server unreachable: check the network"
        )
    if "connectionrefusederror" in low or "connection refused" in low:
        return "connection refused; the server is down or the port in the URL is wrong"
    if any(m in low for m in _NO_ROUTE):
        return f"{text}; this machine is offline, or a firewall or missing route blocks {host}"
    if "certificate" in low:
        return (
            f"its TLS certificate is not trusted ({text}); it is expired, self-signed or for "
            "another name: check the URL's host name, or ask the site to fix its certificate"
        )
    if "ssl" in low or "tls" in low:
        return (
            f"the TLS handshake failed ({text}); the server may not speak https on this port: "
            "check http:// or https:// and the port in the URL"
        )
    return text


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and what caused it, outermost first."""
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found and len(found) < 8:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _connect_timeout(exc: Exception, url: str, timeout: float) -> str:
    if "resolving" in str(exc):
        return f"looking up {urlsplit(url).hostname} took over {timeout:g} s: check the network"
    return (
        f"could not connect to {_host(url)} within {timeout:g} s; the host is down or a "
        "firewall drops the connection (polling.timeout sets the limit)"
    )
