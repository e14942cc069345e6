"""The article body does not start by repeating the headline."""

from __future__ import annotations

import pytest

from monitor.extract import extract

BODY = "".join(
    f"<p>Paragraph {i} of the report, long enough to count as article text.</p>" for i in range(6)
)


@pytest.mark.parametrize(
    ("head", "h1", "starts"),
    [
        pytest.param(
            "<title>Missile fired | Outlet</title>",
            "Missile fired",
            "Paragraph 0",
            id="h1-in-article",
        ),
        pytest.param(
            "<meta property='og:title' content='Missile  fired'>",
            "missile fired",
            "Paragraph 0",
            id="og-title-case-and-spacing",
        ),
        pytest.param("<title>Other</title>", "", "Paragraph 0", id="no-h1"),
    ],
)
def test_leading_headline_is_dropped(head: str, h1: str, starts: str) -> None:
    heading = f"<h1>{h1}</h1>" if h1 else ""
    page = f"<html><head>{head}</head><body><article>{heading}{BODY}</article></body></html>"
    result = extract(page, "https://example.org/a")
    assert result.text.startswith(starts)
    assert result.text.count("Paragraph") == 6
