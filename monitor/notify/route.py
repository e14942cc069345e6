"""Which alerts an event report owes to which destination: routing, flood control, follow-ups.

Deciding and writing are apart. `plan_alerts` is a pure function: from the config, the report
and a `RoutingView` (what the outbox held about this event and about flood control, loaded
beforehand) it returns a `Plan`, the alerts to queue and the waiting ones to fold newer
information into. `route_alerts` loads the view, plans and writes the plan, inside the
transaction that records the event, so an event and its alerts are stored together or not at
all.

Routing works in the spirit of Alertmanager: routes are tried in order; a route matches when
every non-empty field of its `match` contains the event's value (event type, actor, rule name;
for `tags`, any of the feed's tags); the first matching route sends to its destinations and
ends the search unless it says `continue: true`. A route without `match` is the default route.
Without routes every destination gets every alert; without destinations the console does.

Flood control: a route with `max_alerts` sends at most that many new events per `per` window;
further ones are folded into one summary message sent when the window frees up. Replicas agree
on the count because each takes the lock "outbox:routes" before reading it.

Follow-ups (later reports of a known event) go to the destinations that got its first alert:
Slack/console/webhook at most once per `delivery.followup_cooldown` (reports arriving in the
cool-down are folded into the waiting follow-up); Slack webhooks per their `followups` /
`digest_interval`; email only at the outlet counts in `update_at_outlets`.

A fold applies only to the alert exactly as the view saw it, still unsent: when it went out, or
another replica folded into it first, the report is queued as an alert of its own instead (the
`otherwise` of each `Fold`), so a report is never lost to a race and never sent twice.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from monitor.config import (
    EmailDestination,
    NotifyConfig,
    Route,
    SlackWebhookDestination,
)
from monitor.models import Alert, Article, Detection, Event
from monitor.store.interface import OutboxStore
from monitor.store.outbox import OutboxRow

log = logging.getLogger(__name__)
CONSOLE = "console"
SUMMARY_TYPE = "flood_summary"
SUMMARY_CHARS = 400
ROUTES_LOCK = "outbox:routes"


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


# -- what routing reads, and what it decides -------------------------------------------------
@dataclass(frozen=True, slots=True)
class FloodState:
    """Flood control of one route with `max_alerts`, as the outbox had it."""

    count: int = 0  # events the route alerted within its window
    oldest: datetime | None = None  # when the oldest of those alerts was made
    open_summaries: Mapping[str, OutboxRow] = field(default_factory=dict)  # destination -> a
    # summary not yet attempted, which still takes lines


@dataclass(frozen=True, slots=True)
class RoutingView:
    """What the decisions about one report read from the outbox, loaded before deciding."""

    alerts: tuple[OutboxRow, ...] = ()  # the event's alerts so far, oldest first
    floods: Mapping[int, FloodState] = field(default_factory=dict)  # route index -> state

    def to(self, destination: str) -> list[OutboxRow]:
        """The event's alerts to one destination, oldest first."""
        return [r for r in self.alerts if r.alert.destination == destination]

    def has(self, alert_id: str) -> bool:
        return any(r.alert.id == alert_id for r in self.alerts)

    def flood(self, route: int) -> FloodState:
        return self.floods.get(route, FloodState())


@dataclass(frozen=True, slots=True)
class Enqueue:
    """Queue a new alert (kept out when one with its id exists)."""

    alert: Alert
    next_at: datetime | None = None  # None: due at once
    route: int | None = None
    role: str = "alert"


@dataclass(frozen=True, slots=True)
class Fold:
    """Replace the payload of `was`, an alert waiting unsent, with `alert`; when `was` is no
    longer waiting as it was, queue `otherwise` instead."""

    alert: Alert
    was: Alert
    otherwise: Enqueue


Step = Enqueue | Fold


@dataclass(frozen=True, slots=True)
class Plan:
    steps: tuple[Step, ...] = ()

    @property
    def alerts(self) -> list[Alert]:
        """The alerts the plan queues or updates, in order (as if every fold applies)."""
        return [s.alert for s in self.steps]


def plan_alerts(
    cfg: NotifyConfig,
    event: Event,
    article: Article,
    detection: Detection,
    new_event: bool,
    feed_tags: Sequence[str],
    now: datetime,
    view: RoutingView,
) -> Plan:
    """The alerts this report owes. Reads nothing but its arguments.

    `event` is the event as recorded after this report (its outlets include this article's);
    `view` is what the outbox held before it (`load_view`).
    """
    if new_event:
        return Plan(tuple(_plan_new(cfg, event, article, detection, feed_tags, now, view)))
    return Plan(tuple(_plan_followups(cfg, event, article, now, view)))


def flood_controlled(cfg: NotifyConfig) -> bool:
    return any(r.max_alerts is not None for r in cfg.routes)


async def load_view(
    outbox: OutboxStore, cfg: NotifyConfig, event: Event, new_event: bool, now: datetime
) -> RoutingView:
    """What `plan_alerts` needs to know about the event's alerts and, for a new event, about
    the flood-controlled routes. Hold ROUTES_LOCK first when any route is flood-controlled."""
    alerts = tuple(await outbox.by_event(event.id))
    floods: dict[int, FloodState] = {}
    if new_event:
        for i, route in enumerate(cfg.routes):
            if route.max_alerts is None:
                continue
            count, oldest = await outbox.count_routed(i, now - timedelta(seconds=route.per))
            summaries = {}
            for destination in dict.fromkeys(route.to):
                row = await outbox.open_summary(i, destination)
                if row is not None:
                    summaries[destination] = row
            floods[i] = FloodState(count, oldest, summaries)
    return RoutingView(alerts, floods)


async def write_plan(outbox: OutboxStore, plan: Plan, now: datetime) -> list[Alert]:
    """Carry out a plan. Returns the alerts queued or updated (a fold that no longer applies
    gives its `otherwise`; an alert whose id exists already is left out)."""
    written: list[Alert] = []
    for step in plan.steps:
        if isinstance(step, Fold):
            if await outbox.replace_payload(step.alert, was=step.was):
                written.append(step.alert)
                continue
            step = step.otherwise
        if await outbox.enqueue(
            step.alert, now, next_at=step.next_at, route=step.route, role=step.role
        ):
            written.append(step.alert)
    return written


async def route_alerts(
    outbox: OutboxStore,
    cfg: NotifyConfig,
    event: Event,
    article: Article,
    detection: Detection,
    new_event: bool,
    feed_tags: Sequence[str],
    now: datetime,
) -> list[Alert]:
    """Decide and queue the alerts this report owes; returns them.

    Call it inside the store transaction that records the event (it joins it). With flood
    control configured it first takes the lock ROUTES_LOCK, held to the end of that
    transaction, so two replicas never both count a window that has room for one more.
    """
    async with outbox.db.transaction():
        if flood_controlled(cfg):
            await outbox.db.lock(ROUTES_LOCK)
        view = await load_view(outbox, cfg, event, new_event, now)
        plan = plan_alerts(cfg, event, article, detection, new_event, feed_tags, now, view)
        return await write_plan(outbox, plan, now)


# -- new events ------------------------------------------------------------------------------
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
    cfg: NotifyConfig,
    event: Event,
    article: Article,
    detection: Detection,
    feed_tags: Sequence[str],
    now: datetime,
    view: RoutingView,
) -> list[Step]:
    targets = route_event(cfg, event, detection, feed_tags)
    if not targets:
        log.info("no route matched", extra={"stage": "notify", "event": event.id})
    flooded = {r for r, _ in targets if r is not None and _flooded(cfg, r, view)}
    planned: list[Step] = []
    for route, destination in targets:
        alert = replace(
            _base(event, article, destination, now),
            id=alert_id(event.id, destination, "new"),
            summary=short_summary(article.text),
            explanation=tuple(detection.explain()),
        )
        if route is not None and route in flooded:
            planned.append(_hold_back(cfg, route, alert, now, view.flood(route)))
        elif not view.has(alert.id):
            planned.append(Enqueue(alert, route=route))
    return planned


def _flooded(cfg: NotifyConfig, route: int, view: RoutingView) -> bool:
    limit = cfg.routes[route].max_alerts
    return limit is not None and view.flood(route).count >= limit


def _hold_back(
    cfg: NotifyConfig, route: int, alert: Alert, now: datetime, flood: FloodState
) -> Step:
    """Fold a flooded alert into the route's waiting summary for its destination, or start
    one, sent when the window frees up."""
    rule = cfg.routes[route]
    line = f"• {alert.outlet}: {alert.headline}"
    send_at = (flood.oldest or now) + timedelta(seconds=rule.per)
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
    fresh = Enqueue(summary, next_at=send_at, route=route, role="summary")
    open_row = flood.open_summaries.get(alert.destination)
    if open_row is None:
        return fresh
    held = [*open_row.alert.summary.splitlines(), line]
    merged = replace(
        open_row.alert,
        headline=_summary_headline(len(held), route, rule),
        summary="\n".join(held),
    )
    return Fold(merged, open_row.alert, fresh)


def _summary_headline(n: int, route: int, rule: Route) -> str:
    window = f"{rule.per / 60:g} min"
    return (
        f"{n} more alert{'s' if n != 1 else ''} held back by flood control "
        f"(route {route + 1}: at most {rule.max_alerts} per {window})"
    )


# -- follow-ups ------------------------------------------------------------------------------
def _plan_followups(
    cfg: NotifyConfig, event: Event, article: Article, now: datetime, view: RoutingView
) -> list[Step]:
    parents = [r for r in view.alerts if r.alert.kind == "new" and r.role == "alert"]
    planned: list[Step] = []
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
            if not view.has(followup.id):
                planned.append(Enqueue(followup))
            continue
        if isinstance(dest_cfg, SlackWebhookDestination):
            if dest_cfg.followups == "suppress":
                continue
            cooldown = dest_cfg.digest_interval
        if view.has(followup.id):
            continue  # this report was planned already
        earlier = [r for r in view.to(dest) if r.alert.kind == "followup"]
        last = earlier[-1] if earlier else parent
        last_at = max(last.alert.created_at or now, last.next_at)
        own = Enqueue(followup, next_at=max(now, last_at + timedelta(seconds=cooldown)))
        if earlier and last.alert.status == "pending" and last.alert.attempts == 0:
            planned.append(Fold(_fold(last, followup), last.alert, own))
        else:
            planned.append(own)
    return planned


def _fold(waiting: OutboxRow, newer: Alert) -> Alert:
    """A report arriving during the cool-down joins the follow-up that waits for it."""
    old = waiting.alert
    earlier = [*old.summary.splitlines(), f"Also: {old.outlet}: {old.headline}"]
    return replace(
        newer,
        id=old.id,
        created_at=old.created_at,
        summary="\n".join(x for x in earlier if x),
    )
