"""Feed bytes made safe to parse: NUL bytes, invalid UTF-8 and DOCTYPEs that declare entities.

`clean(body)` returns the bytes to parse and a `Hygiene` record of what it changed; the pipeline
logs it (one line per poll) and counts it in /metrics. Pure: no network, no clock.

- NUL is not an XML character anywhere. expat stops at the first one and feedparser reads the
  rest with its loose parser; the NUL itself ends up in titles. NULs are removed.
- One invalid UTF-8 sequence in a UTF-8 feed makes feedparser decode the whole document as
  windows-1252, which garbles every Korean, Japanese or Arabic title in it. Each invalid
  sequence becomes U+FFFD instead, so a bad byte costs one character, not the feed.
- A DOCTYPE that declares entities is the shape of "billion laughs" (entities expanding to
  entities) and of external-entity attacks. feedparser drops such declarations but leaves the
  references, and the loose parser passes `&l9;` through into a headline. The DOCTYPE is
  removed and so is every reference to an entity it declared. A declaration of one character
  (`<!ENTITY nbsp "&#160;">`, as some feeds carry) is harmless and left to feedparser.

Documents in UTF-16 or UTF-32 are left as they are: their NUL bytes are characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_XML_DECL_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?\bencoding\s*=\s*[\"']([A-Za-z0-9._:-]+)")
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_UTF8_NAMES = frozenset({"utf-8", "utf8"})
_ENTITY_DECL = re.compile(
    rb"<!ENTITY\s+(%\s*)?([^\s\"'>%]+)\s+(\"[^\"]*\"|'[^']*'|SYSTEM|PUBLIC)", re.IGNORECASE
)
_ONE_CHARACTER = re.compile(rb"^(?:&#[0-9]+;|&#x[0-9A-Fa-f]+;|[^&%<])$")
_DOCTYPE_TOKEN = re.compile(rb"[\"'\[\]>]|<!--")
_REFERENCE = re.compile(rb"&([A-Za-z_:][A-Za-z0-9._:-]*);")
_REPLACEMENT = "\ufffd".encode()


@dataclass(frozen=True, slots=True)
class Hygiene:
    """What `clean` changed in one feed body."""

    nul_bytes: int = 0  # removed
    invalid_utf8: int = 0  # invalid sequences, each replaced by U+FFFD
    entities_declared: int = 0  # entities a refused DOCTYPE declared (0: none refused)
    references_removed: int = 0  # references to them, removed from the document

    @property
    def doctype_refused(self) -> bool:
        return self.entities_declared > 0

    def describe(self) -> str | None:
        """One line for the log, or None when the body needed nothing."""
        parts = []
        if self.nul_bytes:
            parts.append(f"{self.nul_bytes} NUL bytes removed")
        if self.invalid_utf8:
            parts.append(f"{self.invalid_utf8} invalid UTF-8 sequences replaced by U+FFFD")
        if self.doctype_refused:
            parts.append(
                f"DOCTYPE declaring {self.entities_declared} entities refused (an entity-"
                f"expansion attack or a broken feed); {self.references_removed} references "
                "to them removed"
            )
        return "; ".join(parts) or None


def clean(body: bytes) -> tuple[bytes, Hygiene]:
    """The body to parse, and what was changed to make it safe."""
    encoding = _declared_encoding(body)
    if encoding is not None and encoding.startswith(("utf-16", "utf-32", "ucs")):
        return body, Hygiene()
    nul = body.count(b"\x00")
    if nul:
        body = body.replace(b"\x00", b"")
    invalid = 0
    if encoding is None or encoding in _UTF8_NAMES:
        body, invalid = _valid_utf8(body)
    body, declared, removed = _without_entity_doctype(body)
    return body, Hygiene(nul, invalid, declared, removed)


def _declared_encoding(body: bytes) -> str | None:
    """The document's encoding as its BOM or XML declaration says; None means UTF-8 by default."""
    if body.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    if body.startswith(_WIDE_BOMS) or body[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        return "utf-16"
    found = _XML_DECL_ENCODING.match(body[:1024])
    return found.group(1).decode("ascii").lower() if found else None


def _valid_utf8(body: bytes) -> tuple[bytes, int]:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("utf-8", errors="replace")
        # U+FFFD the feed itself carried is not a repair.
        invalid = text.count("\ufffd") - body.count(_REPLACEMENT)
        return text.encode("utf-8"), invalid
    return body, 0


def _without_entity_doctype(body: bytes) -> tuple[bytes, int, int]:
    """The body without a DOCTYPE that declares entities other than single characters, and
    without references to those entities; with how many were declared and removed."""
    span = _doctype_span(body)
    if span is None:
        return body, 0, 0
    start, end = span
    names = {
        name: (percent, value) for percent, name, value in _ENTITY_DECL.findall(body[start:end])
    }
    if not names or all(not pe and _is_one_character(v) for pe, v in names.values()):
        return body, 0, 0
    removed = 0

    def replace(ref: re.Match[bytes]) -> bytes:
        nonlocal removed
        found = names.get(ref.group(1))
        if found is None:
            return ref.group(0)  # not one of the refused DOCTYPE's: &amp; and friends
        percent, value = found
        if not percent and _is_one_character(value):
            return _character_reference(value[1:-1])
        removed += 1
        return b""

    rest = _REFERENCE.sub(replace, body[end:])
    return body[:start] + rest, len(names), removed


def _is_one_character(value: bytes) -> bool:
    return value[:1] in (b'"', b"'") and bool(_ONE_CHARACTER.match(value[1:-1]))


def _character_reference(value: bytes) -> bytes:
    if value.startswith(b"&#"):
        return value
    return f"&#{ord(value.decode('utf-8', 'replace')[0])};".encode()


def _doctype_span(body: bytes) -> tuple[int, int] | None:
    """Where the prolog's DOCTYPE declaration starts and ends, internal subset included."""
    pos = 0
    while True:
        lt = body.find(b"<", pos)
        if lt < 0:
            return None
        if body.startswith(b"<?", lt):
            pos = _after(body, b"?>", lt + 2)
        elif body.startswith(b"<!--", lt):
            pos = _after(body, b"-->", lt + 4)
        elif body.startswith(b"<!DOCTYPE", lt):
            end = _doctype_end(body, lt + len(b"<!DOCTYPE"))
            return None if end is None else (lt, end)
        else:
            return None  # the root element: a DOCTYPE can only come before it
        if pos < 0:
            return None


def _after(body: bytes, marker: bytes, start: int) -> int:
    found = body.find(marker, start)
    return -1 if found < 0 else found + len(marker)


def _doctype_end(body: bytes, pos: int) -> int | None:
    """The index after the `>` closing a DOCTYPE, skipping quoted strings, comments and the
    internal subset (where `>` closes declarations, not the DOCTYPE)."""
    in_subset = False
    while True:
        found = _DOCTYPE_TOKEN.search(body, pos)
        if found is None:
            return None
        token, pos = found.group(0), found.end()
        if token in (b'"', b"'"):
            pos = _after(body, token, pos)
        elif token == b"<!--":
            pos = _after(body, b"-->", pos)
        elif token in (b"[", b"]"):
            in_subset = token == b"["
        elif not in_subset:
            return pos  # the closing ">"
        if pos < 0:
            return None
