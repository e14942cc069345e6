from __future__ import annotations

import pytest

from monitor.urls import canonical_url

SAME_PAGE = [
    ("utm", "https://example.com/a?utm_source=rss&utm_medium=feed", "https://example.com/a"),
    ("fbclid-gclid", "https://example.com/a?fbclid=x&gclid=y&id=7", "https://example.com/a?id=7"),
    ("fragment", "https://example.com/a#comments", "https://example.com/a"),
    ("scheme-host-case", "HTTP://Example.COM/a", "https://example.com/a"),
    ("default-port", "https://example.com:443/a", "https://example.com/a"),
    ("www", "https://www.example.com/a", "https://example.com/a"),
    ("mobile", "https://m.example.com/a", "https://example.com/a"),
    ("mobile-word", "https://mobile.example.com/a", "https://example.com/a"),
    ("amp-host", "https://amp.example.com/a", "https://example.com/a"),
    ("amp-suffix", "https://example.com/world/story/amp", "https://example.com/world/story"),
    ("amp-dot", "https://example.com/world/story.amp", "https://example.com/world/story"),
    ("amp-segment", "https://example.com/amp/world/story", "https://example.com/world/story"),
    ("amp-query", "https://example.com/a?amp=1&outputType=amp", "https://example.com/a"),
    (
        "amp-cache",
        "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/world/story/amp",
        "https://example.com/world/story",
    ),
    (
        "google-amp-viewer",
        "https://www.google.com/amp/s/www.example.com/world/story.amp",
        "https://example.com/world/story",
    ),
    (
        "archive-is",
        "https://archive.is/newest/https://www.wsj.com/world/russia-8d802bd6",
        "https://wsj.com/world/russia-8d802bd6",
    ),
    (
        "wayback",
        "http://web.archive.org/web/20220105000000/https://apnews.com/article/abc",
        "https://apnews.com/article/abc",
    ),
    ("trailing-slash", "https://example.com/a/", "https://example.com/a"),
    ("query-order", "https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
    ("percent-encoding", "https://example.com/%7Euser/a", "https://example.com/~user/a"),
    ("double-slash", "https://example.com//a//b", "https://example.com/a/b"),
]


@pytest.mark.parametrize(
    ("url", "expected"), [c[1:] for c in SAME_PAGE], ids=[c[0] for c in SAME_PAGE]
)
def test_variants_fold_to_one_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


DIFFERENT_PAGES = [
    ("content-query", "https://example.com/story?id=1", "https://example.com/story?id=2"),
    ("path", "https://example.com/world/a", "https://example.com/world/b"),
    ("host", "https://example.com/a", "https://example.org/a"),
    ("port", "https://example.com:8443/a", "https://example.com/a"),
    ("subdomain", "https://news.example.com/a", "https://example.com/a"),
]


@pytest.mark.parametrize(
    ("a", "b"), [c[1:] for c in DIFFERENT_PAGES], ids=[c[0] for c in DIFFERENT_PAGES]
)
def test_different_pages_stay_apart(a: str, b: str) -> None:
    assert canonical_url(a) != canonical_url(b)


@pytest.mark.parametrize("url", ["not a url", "ftp://example.com/a", "mailto:x@example.com", ""])
def test_other_strings_come_back_trimmed(url: str) -> None:
    assert canonical_url(f"  {url} ") == url
