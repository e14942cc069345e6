"""Routing, flood control and follow-up decisions with no store at all: `plan_alerts` is a pure
function of the config, the report and a `RoutingView` built here by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from monitor.config import NotifyConfig
from monitor.models import Alert, AlertStatus, Feed
from monitor.notify.ops import feed_health_alerts
from monitor.notify.route import (
    Enqueue,
    FloodState,
    Fold,
    Plan,
    RoutingView,
    alert_id,
    plan_alerts,
)
from monitor.store.outbox import OutboxRow
from tests.notify.conftest import T0, make_alert, make_article, make_detection, make_event

SLACK = {"type": "slack", "channel": "C0ALERTS"}
MAIL = {
    "type": "email",
    "host": "smtp.example",
    "from": "m@x.example",
    "to": ["a@x.example"],
    "update_at_outlets": [3],
}


def _cfg(**notify: Any) -> NotifyConfig:
    return NotifyConfig.model_validate({"destinations": {"slack": SLACK}, **notify})


def _row(
    alert: Alert,
    seq: int,
    *,
    status: AlertStatus = "pending",
    attempts: int = 0,
    next_at: datetime = T0,
    role: str = "alert",
    route: int | None = None,
) -> OutboxRow:
    return OutboxRow(
        alert=replace(alert, status=status, attempts=attempts),
        seq=seq,
        route=route,
        role=role,
        next_at=next_at,
        remote_ref=None,
    )


def _new(cfg: NotifyConfig, view: RoutingView, now: datetime = T0, **event: Any) -> Plan:
    ev = replace(make_event(), **event)
    return plan_alerts(cfg, ev, make_article(), make_detection(), True, (), now, view)


def _followup(
    cfg: NotifyConfig, view: RoutingView, outlets: int, outlet: str, now: datetime
) -> Plan:
    article = make_article(outlet=outlet, title=f"{outlet} confirms launch")
    return plan_alerts(cfg, make_event(outlets), article, make_detection(), False, (), now, view)


def _first(destination: str = "slack") -> Alert:
    return make_alert(alert_id("ev-1", destination, "new"), destination=destination)


# -- new events ------------------------------------------------------------------------------
def test_a_new_event_queues_one_alert_per_destination_with_stable_ids() -> None:
    cfg = _cfg(destinations={"slack": SLACK, "mail": MAIL})
    plan = _new(cfg, RoutingView())
    assert all(isinstance(s, Enqueue) for s in plan.steps)
    assert [(a.destination, a.id) for a in plan.alerts] == [
        ("slack", alert_id("ev-1", "slack", "new")),
        ("mail", alert_id("ev-1", "mail", "new")),
    ]
    assert all(a.kind == "new" and a.explanation and a.created_at == T0 for a in plan.alerts)
    assert plan == _new(cfg, RoutingView())  # nothing but the arguments decides


def test_a_destination_that_has_the_events_first_alert_gets_no_second() -> None:
    cfg = _cfg(destinations={"slack": SLACK, "mail": MAIL})
    view = RoutingView((_row(_first("mail"), 1, status="sent"),))
    assert [a.destination for a in _new(cfg, view).alerts] == ["slack"]


def test_routes_pick_destinations_and_say_which_route() -> None:
    cfg = _cfg(
        destinations={"slack": SLACK, "mail": MAIL},
        routes=[{"match": {"actor": ["iran"]}, "to": ["mail"]}, {"to": ["slack"]}],
    )
    [step] = _new(cfg, RoutingView()).steps
    assert isinstance(step, Enqueue)
    assert (step.alert.destination, step.route, step.role, step.next_at) == (
        "slack",
        1,
        "alert",
        None,
    )


# -- flood control ---------------------------------------------------------------------------
FLOOD = {"routes": [{"to": ["slack"], "max_alerts": 2, "per": "1h"}]}


def test_a_route_under_its_limit_sends() -> None:
    view = RoutingView(floods={0: FloodState(count=1, oldest=T0)})
    [step] = _new(_cfg(**FLOOD), view).steps
    assert isinstance(step, Enqueue) and step.role == "alert" and step.route == 0


def test_a_route_at_its_limit_starts_a_summary_sent_when_the_window_frees_up() -> None:
    oldest = T0 - timedelta(minutes=20)
    view = RoutingView(floods={0: FloodState(count=2, oldest=oldest)})
    [step] = _new(_cfg(**FLOOD), view, now=T0).steps
    assert isinstance(step, Enqueue)
    assert (step.role, step.route) == ("summary", 0)
    assert step.next_at == oldest + timedelta(hours=1)
    summary = step.alert
    assert summary.event.event_type == "flood_summary" and summary.event_id == "flood:0:slack"
    assert summary.headline.startswith("1 more alert held back by flood control (route 1")
    assert summary.summary == "• Yonhap: North Korea fires ballistic missile"


def test_a_flooded_alert_folds_into_the_open_summary() -> None:
    waiting = make_alert(
        "asummary",
        event_id="flood:0:slack",
        headline="1 more alert held back by flood control",
        summary="• AP: earlier story",
    )
    open_row = _row(waiting, 7, role="summary", route=0, next_at=T0 + timedelta(minutes=40))
    view = RoutingView(floods={0: FloodState(2, T0, {"slack": open_row})})
    [step] = _new(_cfg(**FLOOD), view).steps
    assert isinstance(step, Fold)
    assert step.was == open_row.alert and step.alert.id == "asummary"
    assert step.alert.summary.splitlines() == [
        "• AP: earlier story",
        "• Yonhap: North Korea fires ballistic missile",
    ]
    assert step.alert.headline.startswith("2 more alerts held back")
    # if the summary went out meanwhile, a new one takes the line
    assert step.otherwise.role == "summary" and step.otherwise.alert.id != "asummary"
    assert step.otherwise.alert.summary == "• Yonhap: North Korea fires ballistic missile"


def test_flood_control_holds_back_only_its_own_route() -> None:
    cfg = _cfg(
        destinations={"slack": SLACK, "mail": MAIL},
        routes=[
            {"to": ["slack"], "max_alerts": 1, "per": "1h", "continue": True},
            {"to": ["mail"]},
        ],
    )
    view = RoutingView(floods={0: FloodState(count=5, oldest=T0)})
    roles = {s.alert.destination: s for s in _new(cfg, view).steps}
    assert isinstance(roles["slack"], Enqueue) and roles["slack"].role == "summary"
    assert isinstance(roles["mail"], Enqueue) and roles["mail"].role == "alert"


# -- follow-ups ------------------------------------------------------------------------------
COOLDOWN = {"delivery": {"followup_cooldown": 60}}


def test_a_followup_threads_under_the_first_alert_after_the_cool_down() -> None:
    first = _row(replace(_first(), created_at=T0), 1, status="sent")
    now = T0 + timedelta(seconds=10)
    [step] = _followup(_cfg(**COOLDOWN), RoutingView((first,)), 2, "Reuters", now).steps
    assert isinstance(step, Enqueue)
    alert = step.alert
    assert (alert.kind, alert.parent, alert.destination) == ("followup", first.alert.id, "slack")
    assert alert.id == alert_id("ev-1", "slack", "followup", "reuters:1")
    assert step.next_at == T0 + timedelta(seconds=60)


def test_a_report_during_the_cool_down_folds_into_the_waiting_followup() -> None:
    first = _row(_first(), 1, status="sent")
    waiting_alert = make_alert(
        "afollow", kind="followup", parent=first.alert.id, outlet="Reuters", headline="Reuters"
    )
    waiting = _row(waiting_alert, 2, next_at=T0 + timedelta(seconds=60))
    now = T0 + timedelta(seconds=15)
    [step] = _followup(_cfg(**COOLDOWN), RoutingView((first, waiting)), 3, "NHK", now).steps
    assert isinstance(step, Fold)
    assert step.was == waiting.alert
    assert step.alert.id == "afollow" and step.alert.outlet == "NHK"
    assert "Also: Reuters: Reuters" in step.alert.summary
    assert step.alert.event.outlets == ("Yonhap", "Reuters", "NHK")
    # should it have gone out meanwhile: its own follow-up, one cool-down after it
    assert step.otherwise.alert.id == alert_id("ev-1", "slack", "followup", "nhk:1")
    assert step.otherwise.next_at == T0 + timedelta(seconds=120)


@pytest.mark.parametrize("status", ["unknown", "sent"])
def test_a_followup_already_on_its_way_is_not_folded_into(status: AlertStatus) -> None:
    first = _row(_first(), 1, status="sent")
    earlier = _row(
        make_alert("afollow", kind="followup", parent=first.alert.id),
        2,
        status=status,
        attempts=1,
        next_at=T0 + timedelta(seconds=60),
    )
    now = T0 + timedelta(seconds=70)
    [step] = _followup(_cfg(**COOLDOWN), RoutingView((first, earlier)), 3, "NHK", now).steps
    assert isinstance(step, Enqueue)
    assert step.next_at == T0 + timedelta(seconds=120)


def test_the_same_report_planned_again_adds_nothing() -> None:
    first = _row(_first(), 1, status="sent")
    done = make_alert(
        alert_id("ev-1", "slack", "followup", "reuters:1"), kind="followup", parent=first.alert.id
    )
    view = RoutingView((first, _row(done, 2)))
    assert _followup(_cfg(**COOLDOWN), view, 2, "Reuters", T0).steps == ()


def test_email_is_updated_only_at_its_outlet_counts_and_only_once_per_count() -> None:
    cfg = _cfg(destinations={"mail": MAIL})
    first = _row(_first("mail"), 1, status="sent")
    assert _followup(cfg, RoutingView((first,)), 2, "Reuters", T0).steps == ()
    [step] = _followup(cfg, RoutingView((first,)), 3, "NHK", T0).steps
    assert isinstance(step, Enqueue) and step.next_at is None
    assert step.alert.id == alert_id("ev-1", "mail", "update", "3")
    again = RoutingView((first, _row(step.alert, 2)))
    assert _followup(cfg, again, 3, "AP", T0).steps == ()


def test_slack_webhooks_suppress_or_digest_their_followups() -> None:
    cfg = _cfg(
        destinations={
            "quiet": {"type": "slack_webhook", "followups": "suppress"},
            "digest": {"type": "slack_webhook", "digest_interval": "15m"},
        }
    )
    view = RoutingView(
        (_row(_first("quiet"), 1, status="sent"), _row(_first("digest"), 2, status="sent"))
    )
    [step] = _followup(cfg, view, 2, "Reuters", T0).steps
    assert isinstance(step, Enqueue) and step.alert.destination == "digest"
    assert step.next_at == T0 + timedelta(minutes=15)


def test_followups_go_only_where_the_first_alert_went() -> None:
    cfg = _cfg(destinations={"slack": SLACK, "mail": MAIL})
    flood_summary = _row(make_alert("asum", destination="mail"), 1, role="summary")
    view = RoutingView((flood_summary, _row(_first("slack"), 2, status="sent")))
    assert [a.destination for a in _followup(cfg, view, 3, "NHK", T0).alerts] == ["slack"]
    assert _followup(cfg, RoutingView(), 3, "NHK", T0).steps == ()


# -- feed health -------------------------------------------------------------------------------
def test_feed_health_alerts_go_to_each_ops_destination() -> None:
    cfg = _cfg(destinations={"slack": SLACK, "mail": MAIL}, ops=["slack", "mail"])
    feed = Feed(name="Wire", url="https://wire.example/rss.xml")
    down = feed_health_alerts(cfg, feed, "failing", 5, "timed out", T0)
    assert [a.destination for a in down] == ["slack", "mail"]
    assert down[0].headline == "Feed down: Wire failed 5 polls in a row"
    assert "timed out" in down[0].summary
    assert down == feed_health_alerts(cfg, feed, "failing", 5, "timed out", T0)
    back = feed_health_alerts(cfg, feed, "recovered", 0, None, T0)
    assert back[0].headline.startswith("Feed recovered: Wire") and back[0].id != down[0].id
    assert feed_health_alerts(_cfg(), feed, "failing", 5, None, T0) == []
