"""Feed-health alerts for the operators: a feed is down after N failed polls, and it is back.

They go through the outbox like event alerts, so they are retried, never doubled, and visible in
`monitor status`; they are sent to the destinations named in `notify.ops`.
"""

from __future__ import annotations

from datetime import datetime

from monitor.config import NotifyConfig
from monitor.models import Alert, Event, Feed
from monitor.notify.route import alert_id
from monitor.store.outbox import OutboxRepo

EVENT_TYPE = "feed_health"


def plan_feed_health(
    outbox: OutboxRepo,
    cfg: NotifyConfig,
    feed: Feed,
    change: str,
    streak: int,
    error: str | None,
    now: datetime,
) -> list[Alert]:
    """Queue one alert per ops destination for a feed that went down ("failing") or came
    back ("recovered"). Returns the alerts queued."""
    if change == "failing":
        headline = f"Feed down: {feed.name} failed {streak} polls in a row"
        summary = f"Last error: {error or 'unknown'}. Polling goes on with backoff."
    else:
        headline = f"Feed recovered: {feed.name} is polling again"
        summary = "The feed answered normally after a run of failures."
    event = Event(
        id=f"{EVENT_TYPE}:{feed.name}:{change}:{now.isoformat(timespec='seconds')}",
        event_type=EVENT_TYPE,
        subtype=change,
        actor=None,
        event_date=now.date(),
        weapon=None,
        first_article=feed.url,
        outlets=(feed.name,),
    )
    alerts = []
    for destination in cfg.ops:
        alert = Alert(
            id=alert_id(event.id, destination),
            event_id=event.id,
            destination=destination,
            kind="new",
            article_id=feed.url,
            headline=headline,
            outlet=feed.name,
            url=feed.url,
            summary=summary,
            published=now,
            explanation=(),
            event=event,
            created_at=now,
        )
        if outbox.enqueue(alert, now, role="ops"):
            alerts.append(alert)
    return alerts
