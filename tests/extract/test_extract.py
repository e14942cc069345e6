"""The extract stage on a real article page with known text."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from monitor.errors import ExtractError
from monitor.extract import extract

PAGES = Path(__file__).parent.parent / "data" / "pages"


def _f1(got: str, want: str) -> float:
    g, w = (Counter(re.findall(r"\w+", s.lower())) for s in (got, want))
    common = sum((g & w).values())
    return 0.0 if not common else 2 * common / (sum(g.values()) + sum(w.values()))


def test_real_article_page() -> None:
    html = (PAGES / "reuters.com1.html").read_bytes()
    want = (PAGES / "reuters.com1.txt").read_text()
    got = extract(html, "https://in.reuters.com/article/markets")
    assert got.title == "Sensex ends flat; weaker Asian markets offset reform hopes"
    assert _f1(got.text, want) > 0.8
    assert "Reuters" not in got.title and "Cookie" not in got.text


@pytest.mark.parametrize(
    ("html", "words"),
    [
        (b"", "empty"),
        (
            b"<html><body><nav>Home | World</nav><p>Subscribe to read.</p></body></html>",
            "no article text",
        ),
        (
            "<html><body><div id='app'></div><script>render()</script></body></html>",
            "no article text",
        ),
    ],
    ids=["empty", "paywall", "javascript-app"],
)
def test_pages_without_text_raise(html: bytes | str, words: str) -> None:
    with pytest.raises(ExtractError) as caught:
        extract(html, "https://news.example/a/1")
    assert str(caught.value).startswith("https://news.example/a/1: ") and words in str(caught.value)
