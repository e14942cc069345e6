"""Turning alerts into Slack Block Kit, email and plain text, treating article text as hostile.

Article titles and text come from the internet. In Slack they are escaped (&, <, >), so
`<!channel>`, `<@U123>` and `<#C123|x>` arrive as visible text instead of mentions, and they
only ever go into `plain_text` objects, so `*bold*` or `>` quoting tricks do nothing. Lengths are
cut to Block Kit's limits after escaping. In email, header values lose CR/LF and control
characters and the HTML part is escaped. URLs are kept only when they are plain http(s).
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote, urlsplit

from babel import Locale, UnknownLocaleError

from monitor.detect.gazetteer import actor_name
from monitor.models import Alert, Event

HEADER_MAX = 150
SECTION_MAX = 3000
FALLBACK_MAX = 3000
MAX_BLOCKS = 50
SUBJECT_MAX = 200

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
_BROADCAST = re.compile(r"@(channel|here|everyone)", re.IGNORECASE)
Block = dict[str, Any]


def clean(text: str) -> str:
    """Text without control characters; newlines kept, CR dropped."""
    return _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def one_line(text: str) -> str:
    return " ".join(clean(text).split())


def slack_escape(text: str) -> str:
    """Escape Slack's control characters and defuse @channel-style words."""
    text = clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@\u2060\\1", text)  # a word joiner keeps it from being a mention


def fit(text: str, limit: int, escape: bool = True) -> str:
    """Escaped text cut so that its escaped length is at most `limit`, ending in an ellipsis."""
    out = slack_escape(text) if escape else text
    if len(out) <= limit:
        return out
    out = out[: limit - 1]
    amp = out.rfind("&")
    if amp != -1 and ";" not in out[amp:]:  # do not leave half an entity
        out = out[:amp]
    return out.rstrip() + "…"


def safe_url(url: str | None) -> str | None:
    """The URL when it is plain http(s), with characters that could break markup encoded."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or _CONTROL.search(url):
        return None
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")


def when(alert: Alert) -> str:
    return alert.published.strftime("%Y-%m-%d %H:%M UTC") if alert.published else "time unknown"


def facts_line(event: Event) -> str:
    facts = {"actor": event.actor, "weapon": event.weapon}
    facts.update({k: v for k, v in event.facts.items() if v})
    return " · ".join(f"{k}: {v}" for k, v in facts.items() if v)


def language_name(code: str) -> str:
    try:
        return str(Locale("en").languages.get(code, code))
    except (ValueError, UnknownLocaleError):
        return code


def outlet_label(alert: Alert) -> str:
    """The outlet, and the report's language when it is not English: "Yonhap (Korean)"."""
    outlet = one_line(alert.outlet)
    if alert.language and alert.language != "en":
        return f"{outlet} ({language_name(alert.language)})"
    return outlet


def gloss(alert: Alert, event: Event | None = None) -> str | None:
    """An English line for a headline in another language, built from what was detected
    (actor, weapon, subtype, date), not translated: "In English: North Korea · ballistic
    missile · test · 2022-01-05"."""
    if not alert.language or alert.language == "en":
        return None
    event = event or alert.event
    actor = actor_name(event.actor) if event.actor else "unattributed"
    parts = [actor, event.weapon or "missile", event.subtype]
    parts.append(event.event_date.isoformat() if event.event_date else None)
    return "In English: " + " · ".join(p for p in parts if p)


def outlets_line(event: Event) -> str:
    n = len(event.outlets)
    return f"Reported by {n} outlet{'s' if n != 1 else ''}: {', '.join(event.outlets)}"


# -- Slack -----------------------------------------------------------------------------------


def _plain(text: str, limit: int = SECTION_MAX) -> Block:
    return {"type": "plain_text", "text": fit(text, limit) or " ", "emoji": False}


def _link_block(alert: Alert) -> Block | None:
    url = safe_url(alert.url)
    if url is None:
        return None
    label = fit(f"Read at {one_line(alert.outlet)}", 200)
    link = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return {"type": "section", "text": {"type": "mrkdwn", "text": f"<{link}|{label}>"}}


def slack_message(alert: Alert, event: Event | None = None) -> tuple[str, list[Block]]:
    """The first message about an event: fallback text and blocks. `event` gives a newer
    picture of the event when the message is edited after later reports."""
    event = event or alert.event
    blocks: list[Block] = [
        {"type": "header", "text": _plain(one_line(alert.headline), HEADER_MAX)},
    ]
    english = gloss(alert, event)
    if english:
        blocks.append({"type": "section", "text": _plain(english)})
    blocks.append(
        {"type": "context", "elements": [_plain(f"{outlet_label(alert)} · {when(alert)}", 300)]}
    )
    if alert.summary.strip():
        blocks.append({"type": "section", "text": _plain(alert.summary)})
    if len(event.outlets) > 1 or event.facts:
        status = "\n".join(x for x in (outlets_line(event), facts_line(event)) if x)
        blocks.append({"type": "section", "text": _plain(status)})
    if alert.explanation:
        why = "Why it matched:\n" + "\n".join(alert.explanation)
        blocks.append({"type": "context", "elements": [_plain(why, 2000)]})
    link = _link_block(alert)
    if link:
        blocks.append(link)
    fallback = fit(f"{one_line(alert.headline)} ({one_line(alert.outlet)})", FALLBACK_MAX)
    return fallback, blocks[:MAX_BLOCKS]


def slack_followup(alert: Alert) -> tuple[str, list[Block]]:
    """A thread reply for a later report of the event."""
    line = f"Also reported by {outlet_label(alert)}: {one_line(alert.headline)}"
    english = gloss(alert)
    if english:
        line = f"{line}\n{english}"
    blocks: list[Block] = [{"type": "section", "text": _plain(line)}]
    if alert.summary.strip():  # earlier reports folded in during the cool-down
        blocks.append({"type": "context", "elements": [_plain(alert.summary, 2000)]})
    link = _link_block(alert)
    if link:
        blocks.append(link)
    return fit(line, FALLBACK_MAX), blocks[:MAX_BLOCKS]


def slack_render(alert: Alert) -> tuple[str, list[Block]]:
    return slack_message(alert) if alert.kind == "new" else slack_followup(alert)


# -- plain text and email ------------------------------------------------------------------


def plain_text(alert: Alert, event: Event | None = None) -> str:
    event = event or alert.event
    english = gloss(alert, event)
    if alert.kind == "followup":
        lines = [f"Also reported by {outlet_label(alert)}: {one_line(alert.headline)}"]
        lines += [english] if english else []
    else:
        lines = [one_line(alert.headline), *([english] if english else [])]
        lines.append(f"{outlet_label(alert)} · {when(alert)}")
    if alert.summary.strip():
        lines += ["", clean(alert.summary)]
    if len(event.outlets) > 1:
        lines += ["", outlets_line(event)]
    if facts_line(event):
        lines.append(facts_line(event))
    if alert.explanation and alert.kind == "new":
        lines += ["", "Why it matched:", *(f"  {clean(x)}" for x in alert.explanation)]
    url = safe_url(alert.url)
    if url:
        lines += ["", url]
    return "\n".join(lines) + "\n"


def email_subject(alert: Alert) -> str:
    """A one-line subject: CR/LF can never reach the header."""
    prefix = "Update: " if alert.kind == "followup" else ""
    subject = prefix + one_line(alert.headline)
    return subject if len(subject) <= SUBJECT_MAX else subject[: SUBJECT_MAX - 1] + "…"


def email_html(alert: Alert) -> str:
    e = html.escape
    event = alert.event
    parts = [f"<h2>{e(one_line(alert.headline))}</h2>"]
    english = gloss(alert)
    if english:
        parts.append(f"<p>{e(english)}</p>")
    parts.append(f"<p>{e(outlet_label(alert))} · {e(when(alert))}</p>")
    if alert.summary.strip():
        parts.append(f"<p>{e(clean(alert.summary)).replace(chr(10), '<br>')}</p>")
    if len(event.outlets) > 1:
        parts.append(f"<p>{e(outlets_line(event))}</p>")
    if facts_line(event):
        parts.append(f"<p>{e(facts_line(event))}</p>")
    if alert.explanation and alert.kind == "new":
        items = "".join(f"<li>{e(clean(x))}</li>" for x in alert.explanation)
        parts.append(f"<p>Why it matched:</p><ul>{items}</ul>")
    url = safe_url(alert.url)
    if url:
        parts.append(f'<p><a href="{e(url, quote=True)}">Read the article</a></p>')
    return "<!doctype html><html><body>" + "\n".join(parts) + "</body></html>\n"
