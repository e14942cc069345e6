"""The parse stage: feed bytes -> entries. Pure: no network, no clock.

feedparser reads RSS 0.9x-2.0, RSS 1.0 (RDF), Atom and JSON Feed, and recovers what it can from
ill-formed XML. A body it cannot read as a feed at all raises ParseError naming the URL and,
when the body is an HTML page that advertises its feed, the feed's address. NUL bytes, invalid
UTF-8 and entity-declaring DOCTYPEs are dealt with first (monitor.feedtext), and reported.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import feedparser

from monitor.errors import ParseError
from monitor.feedtext import Hygiene, clean
from monitor.models import Entry

_BLOCK_TAGS = frozenset(
    {"p", "br", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"blockquote", "pre", "section", "article", "header", "footer", "figure", "figcaption"}
    | {"table", "dd", "dt", "hr"}
)
_SKIP_TAGS = frozenset({"script", "style", "template", "noscript"})
_SPACES = re.compile(r"\s+")
_ALTERNATE = re.compile(
    rb"<link\b[^>]*\btype=[\"']application/(?:rss|atom)\+xml[\"'][^>]*>", re.IGNORECASE
)
_HREF = re.compile(rb"\bhref=[\"']([^\"']+)[\"']", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    entries: list[Entry]
    ttl: float | None  # RSS <ttl>, in seconds
    ill_formed: str | None = None  # what was wrong when the feed parsed only partly
    hygiene: Hygiene = field(default_factory=Hygiene)  # what was removed or replaced first


def parse(body: bytes, base_url: str, feed_name: str) -> ParsedFeed:
    """Read a feed body fetched from `base_url`. Raises ParseError when it is not a feed."""
    if not body.strip():
        raise ParseError(f"{base_url}: not a feed: the server sent an empty body")
    original, (body, hygiene) = body, clean(body)
    # A BytesIO, never the bytes themselves: feedparser would fetch a string that looks
    # like a URL, and we own the network edge.
    doc: Any = feedparser.parse(
        io.BytesIO(body),
        response_headers={"content-location": base_url},
        # Summaries become plain text here, so feedparser's HTML sanitising and URI rewriting
        # inside them would be wasted work (about 15% of the parse time).
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    meta = doc.feed
    title = _plain(meta.get("title", ""))
    entries = [e for e in (_entry(raw, base_url, feed_name) for raw in doc.entries) if e]
    if not entries and not title and (doc.bozo or not doc.version):
        raise ParseError(f"{base_url}: not a feed: {_why_not(original, doc, base_url)}")
    problem = str(doc.get("bozo_exception", "")) if doc.bozo else ""
    if "content-type" in problem.lower():
        problem = ""  # we pass no HTTP headers; not a fault of the feed
    return ParsedFeed(
        title=title,
        entries=entries,
        ttl=_ttl(meta.get("ttl")),
        ill_formed=problem or None,
        hygiene=hygiene,
    )


def _entry(raw: Any, base_url: str, feed_name: str) -> Entry | None:
    link = raw.get("link") or _first_alternate(raw)
    url = urljoin(base_url, link.strip()) if link else None
    guid = (raw.get("id") or "").strip() or None
    title = _plain(raw.get("title", ""))
    summary = _plain(raw.get("summary", "") or _first_content(raw))
    if not (guid or url or title):
        return None  # nothing to identify it by, nothing to report
    return Entry(
        feed=feed_name,
        guid=guid,
        url=url,
        title=title,
        summary=summary,
        published=_date(raw.get("published_parsed") or raw.get("updated_parsed")),
    )


def _first_alternate(raw: Any) -> str | None:
    for link in raw.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link["href"])
    return None


def _first_content(raw: Any) -> str:
    for content in raw.get("content", []):
        if content.get("value"):
            return str(content["value"])
    return ""


def _date(parsed: Any) -> datetime | None:
    """feedparser gives struct_time in UTC; make it an aware datetime."""
    if not parsed:
        return None
    try:
        year, month, day, hour, minute, second = parsed[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _ttl(value: Any) -> float | None:
    try:
        minutes = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes * 60.0 if minutes > 0 else None


def _why_not(body: bytes, doc: Any, base_url: str) -> str:
    head = body[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        link = _ALTERNATE.search(body[:200_000])
        href = _HREF.search(link.group(0)) if link else None
        if href:
            feed_url = urljoin(base_url, href.group(1).decode("utf-8", "replace"))
            return f"this is an HTML page; its feed is at {feed_url}"
        return "this is an HTML page, not RSS or Atom; find the site's feed link"
    if head.startswith((b"{", b"[")) and not doc.version:
        return "this is JSON but not a JSON Feed"
    reason = doc.get("bozo_exception")
    if reason and "content-type" not in str(reason).lower():
        return f"the XML is broken ({reason}); ask the publisher or try again later"
    return "no RSS or Atom elements found; check that the URL points at a feed"


def plain_text(html: str) -> str:
    """Text of an HTML fragment: tags dropped, entities decoded, whitespace collapsed."""
    return _plain(html)


def _plain(html: str) -> str:
    if "<" not in html and "&" not in html:
        return _SPACES.sub(" ", html).strip()
    stripper = _TextOnly()
    stripper.feed(html)
    stripper.close()
    return _SPACES.sub(" ", "".join(stripper.parts)).strip()


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)
