"""What grouping reads from the store before it decides, and how its decision is recorded.

Decisions about one actor's events of one type take turns across replicas: `decide` takes the
lock `events:<type>:<actor>` (monitor.store.db, held to the end of the caller's transaction)
before it loads anything, so the view a decision rests on cannot change before it is written.
A report without an actor may join an event of any actor whose report its text copies: it
takes those actors' locks too, and loads again, before deciding.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from monitor.dedup.events import Decision, EventView, lock_key, place, reach, report_day
from monitor.dedup.evidence import RECENT_EVENTS
from monitor.models import Article, Detection
from monitor.store.db import Database
from monitor.store.events import EventRow
from monitor.store.interface import EventStore


async def decide(
    db: Database,
    events: EventStore,
    article: Article,
    detection: Detection,
    near_duplicates: Mapping[str, float],
    *,
    window_days: int,
    now: datetime,
) -> Decision:
    """Where the report goes, decided under the locks of every actor whose events it may
    change. Runs inside a transaction."""
    wanted = {lock_key(detection.event_type, detection.actor)}
    held: set[str] = set()
    while True:
        for key in sorted(wanted - held):
            await db.lock(key)
            held.add(key)
        view = await load_view(
            events, article, detection, near_duplicates, window_days=window_days, now=now
        )
        if detection.actor is None:
            wanted |= {lock_key(e.event_type, e.actor) for e in view.by_article.values()}
        if wanted <= held:
            return place(
                article, detection, near_duplicates, view, window_days=window_days, now=now
            )


async def load_view(
    events: EventStore,
    article: Article,
    detection: Detection,
    near_duplicates: Mapping[str, float],
    *,
    window_days: int,
    now: datetime,
) -> EventView:
    """Everything `place` may look at for this report (see EventView). The latest stamp is read
    last, so it is never older than an event read before it."""
    by_article = await events.of_articles(detection.event_type, [article.id, *near_duplicates])
    actor = detection.actor
    if actor is None:
        return EventView(by_article=by_article, last_stamp=await events.last_stamp())
    day = report_day(article, detection, now)
    far, window = reach(window_days), timedelta(days=window_days)
    nearby = await events.in_window(detection.event_type, actor, day - far, day + far)
    recent = await events.latest_of_actor(detection.event_type, actor, RECENT_EVENTS)
    parked = await events.parked(detection.event_type, actor, day - window, day + window)
    return EventView(
        by_article=by_article,
        nearby=tuple(nearby),
        recent=tuple(recent),
        parked=tuple(parked),
        last_stamp=await events.last_stamp(),
    )


async def write(events: EventStore, decision: Decision) -> EventRow | None:
    """Record the decision; returns the event as stored (a new one under its free id)."""
    if decision.park is not None:
        p = decision.park
        await events.park(p.article_id, p.event_type, p.actor, p.day, p.outlet, decision.stamp)
    row = decision.event
    if row is None or not decision.reports:
        return row
    if decision.new_event:
        row = row.evolve(id=await _free_id(events, row.id))
        await events.create(row)
    else:
        await events.update(row)
    for report in decision.reports:
        await events.add_report(
            row.id, report.article_id, report.outlet, report.date_certain, decision.stamp
        )
    await events.unpark(row.event_type, decision.unpark)
    return row


async def _free_id(events: EventStore, wanted: str) -> str:
    candidate, n = wanted, 1
    while await events.exists(candidate):
        n += 1
        candidate = f"{wanted}#{n}"
    return candidate
