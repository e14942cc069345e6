"""Feed-health alerts for the operators: a feed is down after N failed polls, and it is back.

They go through the outbox like event alerts, so they are retried, never doubled, and visible in
`monitor status`; they are sent to the destinations named in `notify.ops`. `feed_health_alerts`
decides (a pure function), `plan_feed_health` queues what it decided.
"""

from __future__ import annotations

from datetime import datetime

from monitor.config import NotifyConfig
from monitor.models import Alert, Event, Feed
from monitor.notify.route import alert_id
from monitor.store.interface import OutboxStore

EVENT_TYPE = "feed_health"


def feed_health_alerts(
    cfg: NotifyConfig,
    feed: Feed,
    change: str,
    streak: int,
    error: str | None,
    now: datetime,
) -> list[Alert]:
    """One alert per ops destination for a feed that went down ("failing") or came back
    ("recovered"). Their ids follow from the feed, the change and the second it happened, so
    two replicas that see the same change at the same moment queue it once."""
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
    return [
        Alert(
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
        for destination in cfg.ops
    ]


async def plan_feed_health(
    outbox: OutboxStore,
    cfg: NotifyConfig,
    feed: Feed,
    change: str,
    streak: int,
    error: str | None,
    now: datetime,
) -> bool:
    """Queue the feed-health alerts for a change of the feed. Returns whether any was queued
    (then the delivery worker has something to send)."""
    queued = False
    async with outbox.db.transaction():
        for alert in feed_health_alerts(cfg, feed, change, streak, error, now):
            queued |= await outbox.enqueue(alert, now, role="ops")
    return queued
