"""Routing, flood control and follow-up planning, written to a real outbox (SQLite and
PostgreSQL) by `route_alerts`; the decisions alone are in test_route_pure.py."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from monitor.config import NotifyConfig
from monitor.notify.route import route_alerts, route_event
from monitor.store.outbox import OutboxRepo
from tests.notify.conftest import Clock, make_article, make_detection, make_event


def _cfg(**notify: Any) -> NotifyConfig:
    base: dict[str, Any] = {
        "destinations": {
            "slack": {"type": "slack", "channel": "C0ALERTS"},
            "hook": {"type": "slack_webhook"},
            "mail": {
                "type": "email",
                "host": "smtp.example",
                "from": "m@x.example",
                "to": ["a@x.example"],
                "update_at_outlets": [3],
            },
        }
    }
    return NotifyConfig.model_validate({**base, **notify})


@pytest.mark.parametrize(
    ("routes", "tags", "expected"),
    [
        ([], (), ["slack", "hook", "mail"]),
        ([{"match": {"actor": ["north-korea"]}, "to": ["slack"]}, {"to": ["mail"]}], (), ["slack"]),
        ([{"match": {"actor": ["iran"]}, "to": ["slack"]}, {"to": ["mail"]}], (), ["mail"]),
        (
            [{"match": {"tags": ["asia"]}, "to": ["hook"], "continue": True}, {"to": ["slack"]}],
            ("asia",),
            ["hook", "slack"],
        ),
        ([{"match": {"rule": ["other"]}, "to": ["slack"]}], (), []),
        (
            [
                {
                    "match": {"event_type": ["missile_launch"], "actor": ["North-Korea"]},
                    "to": ["slack", "mail"],
                }
            ],
            (),
            ["slack", "mail"],
        ),
    ],
    ids=["no-routes", "first-match", "default", "continue-tags", "none", "and-fields"],
)
def test_routing(routes: list[dict[str, Any]], tags: tuple[str, ...], expected: list[str]) -> None:
    targets = route_event(_cfg(routes=routes), make_event(), make_detection(), tags)
    assert [d for _, d in targets] == expected


def test_no_destination_means_console() -> None:
    assert route_event(NotifyConfig(), make_event(), make_detection(), ()) == [(None, "console")]


async def test_new_event_writes_one_alert_per_destination(outbox: OutboxRepo, clock: Clock) -> None:
    cfg = _cfg()
    alerts = await route_alerts(
        outbox, cfg, make_event(), make_article(), make_detection(), True, (), clock.now()
    )
    assert sorted(a.destination for a in alerts) == ["hook", "mail", "slack"]
    assert all(a.kind == "new" and a.explanation for a in alerts)
    # idempotent: the same report planned again adds nothing
    again = await route_alerts(
        outbox, cfg, make_event(), make_article(), make_detection(), True, (), clock.now()
    )
    assert again == [] and (await outbox.counts())["pending"] == 3


async def test_followups_thread_cool_down_and_fold(outbox: OutboxRepo, clock: Clock) -> None:
    cfg = _cfg(
        destinations={"slack": {"type": "slack", "channel": "C0ALERTS"}},
        delivery={"followup_cooldown": 60},
    )
    det = make_detection()
    [first] = await route_alerts(
        outbox, cfg, make_event(), make_article(), det, True, (), clock.now()
    )
    clock.advance(10)
    [f1] = await route_alerts(
        outbox, cfg, make_event(2), make_article(outlet="Reuters"), det, False, (), clock.now()
    )
    assert f1.kind == "followup" and f1.parent == first.id
    row = await outbox.get(f1.id)
    assert row is not None and (row.next_at - clock.now()).total_seconds() == 50
    clock.advance(5)  # inside the cool-down: folded into the waiting follow-up
    [f2] = await route_alerts(
        outbox, cfg, make_event(3), make_article(outlet="NHK"), det, False, (), clock.now()
    )
    assert f2.id == f1.id and f2.outlet == "NHK" and "Reuters" in f2.summary
    stored = await outbox.get(f1.id)
    assert stored is not None and stored.alert.event.outlets == ("Yonhap", "Reuters", "NHK")
    assert len(await outbox.by_event("ev-1")) == 2


async def test_email_updates_only_at_configured_counts_and_webhook_modes(
    outbox: OutboxRepo, clock: Clock
) -> None:
    cfg = _cfg(
        destinations={
            "mail": {
                "type": "email",
                "host": "h",
                "from": "m@x.example",
                "to": ["a@x.example"],
                "update_at_outlets": [3],
            },
            "quiet": {"type": "slack_webhook", "followups": "suppress"},
            "digest": {"type": "slack_webhook", "digest_interval": "15m"},
        }
    )
    det = make_detection()
    await route_alerts(outbox, cfg, make_event(), make_article(), det, True, (), clock.now())
    clock.advance(1000)
    two = await route_alerts(
        outbox, cfg, make_event(2), make_article(outlet="Reuters"), det, False, (), clock.now()
    )
    assert [a.destination for a in two] == ["digest"]
    three = await route_alerts(
        outbox, cfg, make_event(3), make_article(outlet="NHK"), det, False, (), clock.now()
    )
    assert sorted(a.destination for a in three) == ["digest", "mail"]
    digest = next(a for a in three if a.destination == "digest")
    assert digest.id == two[0].id  # folded into the waiting digest update


async def test_flood_control_holds_back_and_summarises(outbox: OutboxRepo, clock: Clock) -> None:
    cfg = _cfg(
        destinations={"slack": {"type": "slack", "channel": "C0ALERTS"}},
        routes=[{"to": ["slack"], "max_alerts": 2, "per": "1h"}],
    )
    det = make_detection()
    planned = []
    for i in range(5):
        event = replace(make_event(), id=f"ev-{i}")
        planned += await route_alerts(
            outbox, cfg, event, make_article(title=f"story {i}", n=i), det, True, (), clock.now()
        )
        clock.advance(60)
    news = [a for a in planned if a.event.event_type == "missile_launch"]
    assert [a.headline for a in news] == ["story 0", "story 1"]
    summaries = {a.id for a in planned if a.event.event_type == "flood_summary"}
    assert len(summaries) == 1
    row = await outbox.get(summaries.pop())
    assert row is not None and row.role == "summary"
    assert row.alert.headline.startswith("3 more alerts held back by flood control")
    assert row.alert.summary.count("story") == 3
    assert row.next_at > clock.now()  # sent when the window frees up
