"""Alerts as the outbox stores them: one JSON document per alert (its `payload` column)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, cast

from monitor.models import Alert, AlertKind, Event


def encode_alert(alert: Alert) -> str:
    e = alert.event
    return json.dumps(
        {
            "id": alert.id,
            "event_id": alert.event_id,
            "destination": alert.destination,
            "kind": alert.kind,
            "article_id": alert.article_id,
            "headline": alert.headline,
            "outlet": alert.outlet,
            "url": alert.url,
            "summary": alert.summary,
            "published": alert.published.isoformat() if alert.published else None,
            "explanation": list(alert.explanation),
            "parent": alert.parent,
            "language": alert.language,
            "event": {
                "id": e.id,
                "event_type": e.event_type,
                "subtype": e.subtype,
                "actor": e.actor,
                "event_date": e.event_date.isoformat() if e.event_date else None,
                "weapon": e.weapon,
                "first_article": e.first_article,
                "outlets": list(e.outlets),
                "facts": dict(e.facts),
            },
        },
        ensure_ascii=False,
    )


def decode_alert(text: str) -> Alert:
    d: dict[str, Any] = json.loads(text)
    e = d["event"]
    event = Event(
        id=e["id"],
        event_type=e["event_type"],
        subtype=e["subtype"],
        actor=e["actor"],
        event_date=date.fromisoformat(e["event_date"]) if e["event_date"] else None,
        weapon=e["weapon"],
        first_article=e["first_article"],
        outlets=tuple(e["outlets"]),
        facts=dict(e["facts"]),
    )
    return Alert(
        id=d["id"],
        event_id=d["event_id"],
        destination=d["destination"],
        kind=cast(AlertKind, d["kind"]),
        article_id=d["article_id"],
        headline=d["headline"],
        outlet=d["outlet"],
        url=d["url"],
        summary=d["summary"],
        published=datetime.fromisoformat(d["published"]) if d["published"] else None,
        explanation=tuple(d["explanation"]),
        event=event,
        parent=d["parent"],
        language=d.get("language"),
    )
