"""Hostile article text renders safely in Slack, email and plain text."""

from __future__ import annotations

import json

import pytest

from monitor.config import EmailDestination
from monitor.notify import render
from monitor.notify.email import build_message
from tests.notify.conftest import make_alert

HOSTILE = {
    "broadcast": "<!channel> <!here> <!everyone> North Korea fires missile",
    "mentions": "<@U024BE7LH> and <#C024BE7LR|general> and <!subteam^S1|team>",
    "bold": "*bold* _italic_ ~strike~ `code` > quote",
    "link": "<https://evil.example|click here> & more",
    "at-words": "hey @channel and @here",
    "crlf": "Launch\r\nBcc: victim@example.org\r\n\r\n<b>body</b>",
    "huge": "missile " * 1250,  # 10,000 characters
}


def _texts(blocks: list[dict[str, object]]) -> list[str]:
    out: list[str] = []
    for b in blocks:
        text = b.get("text")
        if isinstance(text, dict):
            out.append(str(text["text"]))
        for e in b.get("elements", []) or []:  # type: ignore[attr-defined]
            out.append(str(e["text"]))
    return out


@pytest.mark.parametrize("title", HOSTILE.values(), ids=HOSTILE.keys())
def test_slack_blocks_are_escaped_and_within_limits(title: str) -> None:
    alert = make_alert(headline=title, summary=title * 2)
    fallback, blocks = render.slack_message(alert)
    texts = [*_texts(blocks[:-1]), fallback]  # the last block is our own link
    for text in texts:
        assert "<" not in text and ">" not in text
        assert "@channel" not in text and "@here" not in text
        assert "\r" not in text
    header = blocks[0]["text"]
    assert header["type"] == "plain_text" and len(header["text"]) <= render.HEADER_MAX
    assert all(len(t) <= render.SECTION_MAX for t in texts)
    assert len(blocks) <= render.MAX_BLOCKS
    # untrusted text never sits in mrkdwn, where *bold* would format
    for b in blocks[:-1]:
        assert "mrkdwn" not in json.dumps(b)


def test_escaping_is_exact_and_truncation_keeps_entities_whole() -> None:
    assert render.slack_escape("a & b <c>") == "a &amp; b &lt;c&gt;"
    cut = render.fit("&" * 100, 12)
    assert cut.endswith("…") and "&amp" in cut and not cut[:-1].endswith(("&", "&a", "&am"))
    assert len(cut) <= 12


def test_link_is_only_http_and_cannot_break_out() -> None:
    _, blocks = render.slack_message(make_alert(url="https://x.example/a|b>c <!channel>"))
    link = blocks[-1]["text"]["text"]
    assert link.count("<") == 1 and link.count(">") == 1 and link.count("|") == 1
    _, blocks = render.slack_message(make_alert(url="javascript:alert(1)"))
    assert "javascript" not in json.dumps(blocks)


@pytest.mark.parametrize("title", HOSTILE.values(), ids=HOSTILE.keys())
def test_email_has_no_header_injection_and_escaped_html(title: str) -> None:
    cfg = EmailDestination.model_validate(
        {"type": "email", "host": "smtp.example", "from": "m@alerts.example", "to": ["a@b.c"]}
    )
    msg = build_message(make_alert(headline=title, summary=title), cfg)
    raw = msg.as_bytes()
    headers = raw.split(b"\n\n", 1)[0]
    assert not any(line.startswith(b"Bcc:") for line in headers.splitlines())
    assert "\n" not in str(msg["Subject"]) and len(str(msg["Subject"])) <= render.SUBJECT_MAX
    html_part = msg.get_body(("html",))
    assert html_part is not None
    html = html_part.get_content()
    assert "<b>body</b>" not in html and "<!channel>" not in html
    assert msg["Message-ID"] == "<a000000000000000000000001@alerts.example>"


def test_email_followup_is_threaded() -> None:
    cfg = EmailDestination.model_validate(
        {"type": "email", "host": "smtp.example", "from": "m@alerts.example", "to": ["a@b.c"]}
    )
    msg = build_message(make_alert("a2", kind="followup", parent="a1"), cfg)
    assert msg["In-Reply-To"] == msg["References"] == "<a1@alerts.example>"
    assert str(msg["Subject"]).startswith("Update: ")


def test_plain_text_shows_the_event_state() -> None:
    from tests.notify.conftest import make_event

    text = render.plain_text(make_alert(event=make_event(3)))
    assert "Reported by 3 outlets: Yonhap, Reuters, NHK" in text
    assert "count: 2" in text and "place: Sea of Japan" in text


def test_a_headline_in_another_language_keeps_its_words_and_gains_an_english_line() -> None:
    alert = make_alert(headline="북한, 동해상으로 탄도미사일 발사", language="ko")
    _fallback, blocks = render.slack_message(alert)
    texts = _texts(blocks)
    assert texts[0] == "북한, 동해상으로 탄도미사일 발사"
    event = alert.event
    gloss = next(t for t in texts if t.startswith("In English: "))
    assert "North Korea" in gloss and (event.weapon or "missile") in gloss
    assert any(t.startswith("Yonhap (Korean) · ") for t in texts)
    assert "In English: " in render.plain_text(alert)
    assert "In English: " in render.email_html(alert)


def test_followups_show_each_outlet_with_its_language() -> None:
    reply = make_alert(
        kind="followup", outlet="NHK", headline="北朝鮮が弾道ミサイル発射", language="ja"
    )
    fallback, blocks = render.slack_followup(reply)
    assert fallback.startswith("Also reported by NHK (Japanese): 北朝鮮が弾道ミサイル発射")
    assert "In English: North Korea" in _texts(blocks)[0]
    english = make_alert(kind="followup", outlet="AP", language="en")
    assert render.slack_followup(english)[0].startswith("Also reported by AP: ")
    assert "In English" not in render.plain_text(english)
