"""OPML, the feed-list format every reader imports and exports.

Import reads every outline with an xmlUrl, at any depth; the titles of the folders around it
become its tags (as well as any `category` attribute). Export writes one flat outline per feed
with its tags as a `category` attribute, and round-trips through import.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import formatdate

from monitor.errors import ConfigError

_MAX_BYTES = 5_000_000


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    name: str
    url: str
    tags: tuple[str, ...] = ()
    html_url: str | None = None


def parse_opml(data: bytes | str, source: str = "<opml>") -> list[OpmlFeed]:
    """Feeds in an OPML document, in document order, first occurrence of each URL kept."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > _MAX_BYTES:
        raise ConfigError(f"{source}: OPML file larger than {_MAX_BYTES:,} bytes")
    if b"<!ENTITY" in raw:
        # Entity expansion is how XML bombs work; real OPML never declares entities.
        raise ConfigError(f"{source}: OPML declares XML entities; refusing to read it")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise ConfigError(f"{source}: not valid OPML/XML: {exc}") from None
    if root.tag.lower() != "opml":
        raise ConfigError(f"{source}: not an OPML file (root element is <{root.tag}>)")
    body = root.find("body")
    if body is None:
        raise ConfigError(f"{source}: OPML file has no <body>")
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    _walk(body, (), feeds, seen)
    return feeds


def _walk(node: ET.Element, folders: tuple[str, ...], out: list[OpmlFeed], seen: set[str]) -> None:
    for outline in node.findall("outline"):
        attrs = {k.lower(): v for k, v in outline.attrib.items()}
        title = (attrs.get("title") or attrs.get("text") or "").strip()
        url = (attrs.get("xmlurl") or "").strip()
        if url:
            if url not in seen:
                seen.add(url)
                categories = [
                    c.strip().strip("/")
                    for c in attrs.get("category", "").split(",")
                    if c.strip().strip("/")
                ]
                tags = tuple(dict.fromkeys([*folders, *categories]))
                out.append(OpmlFeed(title or url, url, tags, attrs.get("htmlurl") or None))
            continue
        _walk(outline, (*folders, title) if title else folders, out, seen)


def export_opml(feeds: Iterable[OpmlFeed], title: str = "monitor feeds") -> str:
    """An OPML 2.0 document listing `feeds`."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = formatdate(usegmt=True)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        attrs = {"type": "rss", "text": feed.name, "title": feed.name, "xmlUrl": feed.url}
        if feed.html_url:
            attrs["htmlUrl"] = feed.html_url
        if feed.tags:
            attrs["category"] = ",".join(feed.tags)
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
