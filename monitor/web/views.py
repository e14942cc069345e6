"""What the console shows, read from the store and the running config.

Each function returns plain frozen records that the API turns into JSON and the templates into
HTML, so both always show the same thing. A report's title, link, language, published time,
score, role and explanation are what detection found in it, kept by the store when the report
was recorded (EventStore.add_detail). A report recorded before the store kept that shows what
its alert carried (the outbox keeps every alert's payload; a follow-up's has no explanation),
and one that no alert was sent about only its article id and outlet.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar

from monitor.config import Config
from monitor.store import Store
from monitor.store.events import EventRow, ReportDetail, ReportRow
from monitor.store.outbox import OutboxRow

T = TypeVar("T")
ALERT_STATUSES = ("pending", "unknown", "failed", "sent", "dropped")
_SCORE = re.compile(r"score (\d+(?:\.\d+)?)")


@dataclass(frozen=True, slots=True)
class AlertView:
    id: str
    event_id: str
    destination: str
    kind: str
    role: str
    status: str
    attempts: int
    last_error: str | None
    headline: str
    outlet: str
    created_at: datetime | None
    next_at: datetime
    remote_id: str | None
    remote_channel: str | None
    slack_link: str | None


@dataclass(frozen=True, slots=True)
class ReportView:
    article_id: str
    title: str
    outlet: str
    language: str | None
    url: str | None
    published: datetime | None
    fetched: datetime
    score: float | None
    explanation: tuple[str, ...]
    role: str | None = None  # "peg" (the launch is the story's news) or "background"
    label: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class EventSummary:
    id: str
    event_type: str
    actor: str | None
    weapon: str | None
    subtype: str | None
    launch_date: date
    date_certain: bool
    first_seen: datetime
    first_outlet: str
    reports: int
    outlets: tuple[str, ...]
    languages: tuple[str, ...]
    alerts: dict[str, str]  # destination -> status of the event's first alert there


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    what: str


@dataclass(frozen=True, slots=True)
class EventDetail:
    event: EventSummary
    reports: tuple[ReportView, ...]
    timeline: tuple[TimelineEntry, ...]
    alerts: tuple[AlertView, ...]


@dataclass(frozen=True, slots=True)
class FeedView:
    name: str
    url: str
    enabled: bool
    interval: float
    tags: tuple[str, ...]
    last_poll: datetime | None
    outcome: str | None
    error_streak: int
    last_error: str | None
    next_poll: datetime | None
    items_per_day: int
    last_new_item: datetime | None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    total: int
    offset: int
    limit: int
    counts: dict[str, int] = field(default_factory=dict)


def to_json(value: Any) -> Any:
    """A view record as JSON-ready data: dates and times in ISO 8601."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def _at(epoch: int | float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def alert_view(row: OutboxRow) -> AlertView:
    a, ref = row.alert, row.remote_ref
    link = ref.link if ref is not None else None
    if link is None and ref is not None and ref.channel and ref.id.replace(".", "").isdigit():
        # Sent before permalinks were kept, or Slack gave none: open the message's channel.
        link = f"https://slack.com/app_redirect?channel={ref.channel}"
    return AlertView(
        id=a.id,
        event_id=a.event_id,
        destination=a.destination,
        kind=a.kind,
        role=row.role,
        status=a.status,
        attempts=a.attempts,
        last_error=a.last_error,
        headline=a.headline,
        outlet=a.outlet,
        created_at=a.created_at,
        next_at=row.next_at,
        remote_id=ref.id if ref else None,
        remote_channel=ref.channel if ref else None,
        slack_link=link,
    )


def _summary(
    event: EventRow, reports: Sequence[ReportRow], alerts: Sequence[OutboxRow]
) -> EventSummary:
    first = reports[0].outlet if reports else (event.outlets[0] if event.outlets else "")
    languages = sorted(
        {r.detail.language for r in reports if r.detail and r.detail.language}
        | {r.alert.language for r in alerts if r.alert.language}
    )
    firsts: dict[str, str] = {}
    for row in alerts:
        if row.role == "alert" and row.alert.kind == "new":
            firsts.setdefault(row.alert.destination, row.alert.status)
    return EventSummary(
        id=event.id,
        event_type=event.event_type,
        actor=event.actor,
        weapon=event.weapon,
        subtype=event.subtype,
        launch_date=event.event_date,
        date_certain=event.date_certain,
        first_seen=_at(event.created_at),
        first_outlet=first,
        reports=len(reports),
        outlets=tuple(dict.fromkeys([*(r.outlet for r in reports), *event.outlets])),
        languages=tuple(languages),
        alerts=firsts,
    )


def _by_event(rows: Iterable[T], event_of: Callable[[T], str]) -> dict[str, list[T]]:
    out: dict[str, list[T]] = defaultdict(list)
    for row in rows:
        out[event_of(row)].append(row)
    return out


async def events_page(store: Store, limit: int = 50, offset: int = 0) -> Page[EventSummary]:
    """Events newest first, a page at a time; three queries whatever the page's size."""
    events = await store.events.newest(limit, offset)
    ids = [e.id for e in events]
    reports = _by_event(await store.events.report_rows(ids), lambda r: r.event_id)
    alerts = _by_event(await store.outbox.by_events(ids), lambda r: r.alert.event_id)
    items = tuple(_summary(e, reports.get(e.id, []), alerts.get(e.id, [])) for e in events)
    return Page(items, await store.events.count(), offset, limit)


def _report(
    row: ReportRow, alerts: Sequence[OutboxRow], label: dict[str, Any] | None
) -> ReportView:
    if row.detail is not None:
        return _detailed(row, row.detail, label)
    carried = next((a.alert for a in alerts if a.alert.article_id == row.article_id), None)
    if carried is None:
        return ReportView(
            article_id=row.article_id,
            title=row.article_id,
            outlet=row.outlet,
            language=None,
            url=None,
            published=None,
            fetched=_at(row.added_at),
            score=None,
            explanation=(),
            label=label,
        )
    found = _SCORE.search(carried.explanation[0]) if carried.explanation else None
    return ReportView(
        article_id=row.article_id,
        title=carried.headline,
        outlet=row.outlet,
        language=carried.language,
        url=carried.url,
        published=carried.published,
        fetched=_at(row.added_at),
        score=float(found.group(1)) if found else None,
        explanation=carried.explanation,
        label=label,
    )


def _detailed(row: ReportRow, detail: ReportDetail, label: dict[str, Any] | None) -> ReportView:
    """A report as detection found it, from the detail the store kept of it."""
    return ReportView(
        article_id=row.article_id,
        title=detail.title,
        outlet=row.outlet,
        language=detail.language,
        url=detail.url,
        published=detail.published,
        fetched=_at(row.added_at),
        score=detail.score,
        explanation=detail.explanation,
        role=detail.role,
        label=label,
    )


def _timeline(
    reports: Sequence[ReportView], alerts: Sequence[AlertView]
) -> tuple[TimelineEntry, ...]:
    # Within one second a report comes before the alerts it caused: the store keeps some times
    # to the second and others finer, so the finer one could otherwise sort first.
    entries = [(0, TimelineEntry(r.fetched, f"report from {r.outlet}: {r.title}")) for r in reports]
    for a in alerts:
        if a.created_at is not None:
            what = "first alert" if a.kind == "new" else "follow-up"
            entry = TimelineEntry(a.created_at, f"{what} to {a.destination}: {a.status}")
            entries.append((1, entry))
    entries.sort(key=lambda x: (x[1].at.replace(microsecond=0), x[0], x[1].at))
    return tuple(entry for _, entry in entries)


async def event_detail(
    store: Store, event_id: str, labels: dict[str, dict[str, Any]] | None = None
) -> EventDetail | None:
    """One event with every report, its timeline and the alerts sent about it."""
    event = await store.events.get(event_id)
    if event is None:
        return None
    rows = await store.events.report_rows([event_id])
    outbox = await store.outbox.by_event(event_id)
    labels = labels or {}
    reports = tuple(_report(r, outbox, labels.get(r.article_id)) for r in rows)
    alerts = tuple(alert_view(r) for r in outbox)
    return EventDetail(_summary(event, rows, outbox), reports, _timeline(reports, alerts), alerts)


async def feeds_view(store: Store, config: Config, now: datetime) -> list[FeedView]:
    """Every configured feed with its polling health, in the config's order."""
    states = {s.url: s for s in await store.feeds.all()}
    activity = await store.items.activity(int((now - timedelta(days=1)).timestamp()))
    out = []
    for f in config.feed_objects():
        s = states.get(f.url)
        per_day, last = activity.get(f.name, (0, None))
        out.append(
            FeedView(
                name=f.name,
                url=f.url,
                enabled=f.enabled,
                interval=f.interval,
                tags=f.tags,
                last_poll=s.last_poll if s else None,
                outcome=s.last_outcome if s else None,
                error_streak=s.error_streak if s else 0,
                last_error=s.last_error if s else None,
                next_poll=s.next_poll if s and f.enabled else None,
                items_per_day=per_day,
                last_new_item=_at(last) if last is not None else None,
            )
        )
    return out


async def alerts_page(
    store: Store, statuses: Sequence[str], limit: int = 100, offset: int = 0
) -> Page[AlertView]:
    """The outbox: alerts in these statuses, newest first, and how many there are of each."""
    rows = await store.outbox.page(statuses, limit, offset)
    counts = await store.outbox.counts()
    total = sum(counts.get(s, 0) for s in statuses)
    return Page(tuple(alert_view(r) for r in rows), total, offset, limit, counts)
