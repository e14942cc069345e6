"""Feed text hygiene: NUL bytes, invalid UTF-8 and entity-declaring DOCTYPEs, before parsing."""

from __future__ import annotations

import re

import pytest

from monitor.feedtext import Hygiene, clean
from monitor.parse import parse

KOREAN = "북한 미사일 발사".encode()


def rss(title: bytes, *, head: bytes = b'<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return (
        head + b'<rss version="2.0"><channel><title>Wire</title>'
        b"<item><title>" + title + b"</title><link>https://news.example/1</link></item>"
        b"<item><title>Second</title><link>https://news.example/2</link></item></channel></rss>"
    )


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n <!ENTITY l0 "lol">\n'
    + b"".join(
        b' <!ENTITY l%d "%s">\n' % (i, b"".join(b"&l%d;" % (i - 1) for _ in range(10)))
        for i in range(1, 10)
    )
    + b"]>\n"
)


@pytest.mark.parametrize(
    ("body", "want", "hygiene"),
    [
        (rss(b"Plain title"), rss(b"Plain title"), Hygiene()),
        (rss(b"N\x00K\x00"), rss(b"NK"), Hygiene(nul_bytes=2)),
        (rss(KOREAN + b"\xff"), rss(KOREAN + "\ufffd".encode()), Hygiene(invalid_utf8=1)),
        (rss(b"a\xc3(b\xe2\x82"), rss("a\ufffd(b\ufffd".encode()), Hygiene(invalid_utf8=2)),
        # U+FFFD the feed itself carries is not a repair
        (rss("ok \ufffd".encode()), rss("ok \ufffd".encode()), Hygiene()),
        # No declaration and no BOM means UTF-8 (XML's default).
        (rss(b"x\xff", head=b""), rss("x\ufffd".encode(), head=b""), Hygiene(invalid_utf8=1)),
        # A feed in another encoding is that encoding's business; a NUL is invalid in any.
        (
            rss(b"\xcf\xf0\xe8\x00", head=b'<?xml version="1.0" encoding="windows-1251"?>'),
            rss(b"\xcf\xf0\xe8", head=b'<?xml version="1.0" encoding="windows-1251"?>'),
            Hygiene(nul_bytes=1),
        ),
        (
            rss(b"&l9; North Korea", head=BILLION_LAUGHS),
            rss(b" North Korea", head=b'<?xml version="1.0"?>\n\n'),
            Hygiene(entities_declared=10, references_removed=1),
        ),
        (
            rss(
                b"&xxe;&nbsp;&amp;",
                head=b'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
                b'<!ENTITY nbsp "&#160;">]>',
            ),
            rss(b"&#160;&amp;", head=b""),
            Hygiene(entities_declared=2, references_removed=1),
        ),
        (
            rss(b"&e;", head=b'<!DOCTYPE rss [<!ENTITY % p "x"><!ENTITY e "">]>'),
            rss(b"", head=b""),
            Hygiene(entities_declared=2, references_removed=1),
        ),
        (
            # ">" and "]" inside quotes or comments do not end the DOCTYPE early
            rss(
                b"&a;",
                head=b'<!DOCTYPE rss [<!-- ]> --><!ENTITY a "x>]&#38;#38;y">]>',
            ),
            rss(b"", head=b""),
            Hygiene(entities_declared=1, references_removed=1),
        ),
        # Harmless: one-character entities (feedparser keeps them), and no entities at all.
        (
            rss(b"a&nbsp;b", head=b'<!DOCTYPE rss [<!ENTITY nbsp "&#160;">]>'),
            rss(b"a&nbsp;b", head=b'<!DOCTYPE rss [<!ENTITY nbsp "&#160;">]>'),
            Hygiene(),
        ),
        (
            rss(b"x", head=b'<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "x.dtd">'),
            rss(b"x", head=b'<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "x.dtd">'),
            Hygiene(),
        ),
    ],
    ids=[
        "clean",
        "nul",
        "invalid-utf8",
        "truncated-sequences",
        "real-replacement-character",
        "undeclared-utf8",
        "windows-1251",
        "billion-laughs",
        "external-entity",
        "parameter-entity",
        "quoted-markup-in-subset",
        "one-character-entity",
        "netscape-doctype",
    ],
)
def test_clean(body: bytes, want: bytes, hygiene: Hygiene) -> None:
    assert clean(body) == (want, hygiene)


def test_utf16_is_left_alone() -> None:
    body = rss(b"x").decode().replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16")
    assert clean(body) == (body, Hygiene())


def test_hygiene_is_described_in_one_line() -> None:
    assert Hygiene().describe() is None
    line = Hygiene(nul_bytes=3, invalid_utf8=2, entities_declared=10, references_removed=4)
    assert line.describe() == (
        "3 NUL bytes removed; 2 invalid UTF-8 sequences replaced by U+FFFD; DOCTYPE declaring "
        "10 entities refused (an entity-expansion attack or a broken feed); 4 references to "
        "them removed"
    )


@pytest.mark.parametrize(
    ("body", "title", "hygiene"),
    [
        (rss(b"N\x00orth " + KOREAN), "North 북한 미사일 발사", Hygiene(nul_bytes=1)),
        # One bad byte used to make feedparser read the whole feed as windows-1252.
        (rss(KOREAN + b" \xff"), "북한 미사일 발사 \ufffd", Hygiene(invalid_utf8=1)),
        (
            rss(b"&l9; North Korea fires missile", head=BILLION_LAUGHS),
            "North Korea fires missile",
            Hygiene(entities_declared=10, references_removed=1),
        ),
    ],
    ids=["nul", "invalid-utf8", "billion-laughs"],
)
def test_parsed_titles_are_clean(body: bytes, title: str, hygiene: Hygiene) -> None:
    feed = parse(body, "https://news.example/feed", "wire")
    assert [e.title for e in feed.entries] == [title, "Second"]
    assert feed.hygiene == hygiene
    assert not re.search(r"&\w+;", feed.entries[0].title)
