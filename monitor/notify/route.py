"""Which alerts an event report owes to which destination: routing, flood control, follow-ups.

`plan_alerts` runs inside the transaction that records the event and writes the alerts to the
outbox there, so an event and its alerts are stored together or not at all.

Routing works in the spirit of Alertmanager: routes are tried in order; a route matches when
every non-empty field of its `match` contains the event's value (event type, actor, rule name;
for `tags`, any of the feed's tags); the first matching route sends to its destinations and
ends the search unless it says `continue: true`. A route without `match` is the default route.
Without routes every destination gets every alert; without destinations the console does.

Flood control: a route with `max_alerts` sends at most that many new events per `per` window;
further ones are folded into one summary message sent when the window frees up.

Follow-ups (later reports of a known event) go to the destinations that got its first alert:
Slack/console/webhook at most once per `delivery.followup_cooldown` (reports arriving in the
cool-down are folded into the waiting follow-up); Slack webhooks per their `followups` /
`digest_interval`; email only at the outlet counts in `update_at_outlets`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from monitor.config import (
    EmailDestination,
    NotifyConfig,
    Route,
    SlackWebhookDestination,
)
from monitor.models import Alert, Article, Detection, Event
from monitor.store.outbox import OutboxRepo, OutboxRow

log = logging.getLogger(__name__)
CONSOLE = "console"
SUMMARY_TYPE = "flood_summary"
SUMMARY_CHARS = 400


def alert_id(*parts: str) -> str:
    """A stable id, safe inside an email Message-ID and a Slack metadata payload."""
    return "a" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def matches(route: Route, event: Event, detection: Detection, feed_tags: Sequence[str]) -> bool:
    m = route.match

    def has(wanted: list[str], value: str | None) -> bool:
        return not wanted or (value or "").casefold() in {w.casefold() for w in wanted}

    tags_ok = not m.tags or bool({t.casefold() for t in m.tags} & {t.casefold() for t in feed_tags})
    return (
        has(m.event_type, event.event_type)
        and has(m.actor, event.actor)
        and has(m.rule, detection.rule)
        and tags_ok
    )


def route_event(
    cfg: NotifyConfig, event: Event, detection: Detection, feed_tags: Sequence[str]
) -> list[tuple[int | None, str]]:
    """(route index, destination) pairs for a new event, each destination once."""
    if not cfg.destinations:
        return [(None, CONSOLE)]
    if not cfg.routes:
        return [(None, name) for name in cfg.destinations]
    out: list[tuple[int | None, str]] = []
    for i, route in enumerate(cfg.routes):
        if not matches(route, event, detection, feed_tags):
            continue
        out += [(i, name) for name in route.to if name not in {d for _, d in out}]
        if not route.continue_:
            break
    return out


def short_summary(text: str, limit: int = SUMMARY_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    stop = cut.rfind(". ")
    return cut[: stop + 1] if stop > limit // 2 else cut.rstrip() + "…"


def plan_alerts(
    outbox: OutboxRepo,
    cfg: NotifyConfig,
    event: Event,
    article: Article,
    detection: Detection,
    new_event: bool,
    feed_tags: Sequence[str],
    now: datetime,
) -> list[Alert]:
    """Write the alerts this report owes to the outbox and return them.

    `event` is the event as recorded after this report (its outlets include this article's).
    Call it inside the store transaction that records the event.
    """
    if new_event:
        return _plan_new(outbox, cfg, event, article, detection, feed_tags, now)
    return _plan_followups(outbox, cfg, event, article, now)


def _base(event: Event, article: Article, destination: str, now: datetime) -> Alert:
    return Alert(
        id="",
        event_id=event.id,
        destination=destination,
        kind="new",
        article_id=article.id,
        headline=article.title,
        outlet=article.outlet,
        url=article.url,
        summary="",
        published=article.published,
        explanation=(),
        event=event,
        created_at=now,
        language=article.language,
    )


def _plan_new(
    outbox: OutboxRepo,
    cfg: NotifyConfig,
    event: Event,
    article: Article,
    detection: Detection,
    feed_tags: Sequence[str],
    now: datetime,
) -> list[Alert]:
    targets = route_event(cfg, event, detection, feed_tags)
    if not targets:
        log.info("no route matched", extra={"stage": "notify", "event": event.id})
    routes = {r for r, _ in targets if r is not None}
    flooded = {r for r in routes if _flooded(outbox, cfg, r, now)}
    planned: list[Alert] = []
    for route, destination in targets:
        alert = replace(
            _base(event, article, destination, now),
            id=alert_id(event.id, destination, "new"),
            summary=short_summary(article.text),
            explanation=tuple(detection.explain()),
        )
        if route in flooded:
            assert route is not None
            planned.append(_hold_back(outbox, cfg, route, alert, now))
        elif outbox.enqueue(alert, now, route=route):
            planned.append(alert)
    return planned


def _flooded(outbox: OutboxRepo, cfg: NotifyConfig, route: int, now: datetime) -> bool:
    limit = cfg.routes[route].max_alerts
    if limit is None:
        return False
    count, _ = outbox.count_routed(route, now - timedelta(seconds=cfg.routes[route].per))
    return count >= limit


def _hold_back(
    outbox: OutboxRepo, cfg: NotifyConfig, route: int, alert: Alert, now: datetime
) -> Alert:
    """Fold a flooded alert into the route's pending summary for its destination."""
    rule = cfg.routes[route]
    line = f"• {alert.outlet}: {alert.headline}"
    open_row = outbox.open_summary(route, alert.destination)
    if open_row is not None:
        held = [*open_row.alert.summary.splitlines(), line]
        merged = replace(
            open_row.alert,
            headline=_summary_headline(len(held), route, rule),
            summary="\n".join(held),
        )
        outbox.replace_payload(merged)
        return merged
    _, oldest = outbox.count_routed(route, now - timedelta(seconds=rule.per))
    send_at = (oldest or now) + timedelta(seconds=rule.per)
    event = Event(
        id=f"flood:{route}:{alert.destination}",
        event_type=SUMMARY_TYPE,
        subtype=None,
        actor=None,
        event_date=None,
        weapon=None,
        first_article=alert.article_id,
    )
    summary = replace(
        alert,
        id=alert_id("summary", str(route), alert.destination, now.isoformat()),
        event_id=event.id,
        headline=_summary_headline(1, route, rule),
        outlet="monitor",
        url=None,
        summary=line,
        explanation=(),
        event=event,
    )
    outbox.enqueue(summary, now, next_at=send_at, route=route, role="summary")
    return summary


def _summary_headline(n: int, route: int, rule: Route) -> str:
    window = f"{rule.per / 60:g} min"
    return (
        f"{n} more alert{'s' if n != 1 else ''} held back by flood control "
        f"(route {route + 1}: at most {rule.max_alerts} per {window})"
    )


def _plan_followups(
    outbox: OutboxRepo, cfg: NotifyConfig, event: Event, article: Article, now: datetime
) -> list[Alert]:
    rows = outbox.by_event(event.id)
    parents = [r for r in rows if r.alert.kind == "new" and r.role == "alert"]
    planned: list[Alert] = []
    for parent in parents:
        dest = parent.alert.destination
        dest_cfg = cfg.destinations.get(dest)
        cooldown = cfg.delivery.followup_cooldown
        followup = replace(
            _base(event, article, dest, now),
            id=alert_id(event.id, dest, "followup", article.id),
            kind="followup",
            parent=parent.alert.id,
        )
        if isinstance(dest_cfg, EmailDestination):
            if len(event.outlets) not in dest_cfg.update_at_outlets:
                continue
            count = str(len(event.outlets))
            followup = replace(followup, id=alert_id(event.id, dest, "update", count))
            if outbox.enqueue(followup, now):
                planned.append(followup)
            continue
        if isinstance(dest_cfg, SlackWebhookDestination):
            if dest_cfg.followups == "suppress":
                continue
            cooldown = dest_cfg.digest_interval
        earlier = [r for r in rows if r.alert.destination == dest and r.alert.kind == "followup"]
        last = earlier[-1] if earlier else parent
        if earlier and last.alert.status == "pending" and last.alert.attempts == 0:
            planned.append(_fold(outbox, last, followup))
            continue
        last_at = max(last.alert.created_at or now, last.next_at)
        send_at = max(now, last_at + timedelta(seconds=cooldown))
        if outbox.enqueue(followup, now, next_at=send_at):
            planned.append(followup)
    return planned


def _fold(outbox: OutboxRepo, waiting: OutboxRow, newer: Alert) -> Alert:
    """A report arriving during the cool-down joins the follow-up that waits for it."""
    old = waiting.alert
    earlier = [*old.summary.splitlines(), f"Also: {old.outlet}: {old.headline}"]
    merged = replace(
        newer,
        id=old.id,
        created_at=old.created_at,
        summary="\n".join(x for x in earlier if x),
    )
    outbox.replace_payload(merged)
    return merged
