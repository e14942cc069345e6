"""Slack alerts link to the event's console page with a plain URL button when web.public_url
is set (no interactivity endpoint: Slack just opens the link)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from monitor.config import SlackDestination
from monitor.notify.slack import SlackNotifier
from monitor.store.outbox import OutboxRow, RemoteRef
from monitor.web.views import alert_view
from tests.notify.conftest import make_alert
from tests.servers.slack import SlackServer


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = message.get("blocks") or []
    return [e for b in blocks if b.get("type") == "actions" for e in b.get("elements", [])]


async def test_first_message_has_a_view_event_button_and_replies_do_not(slack: SlackServer) -> None:
    cfg = SlackDestination(type="slack", channel="C0ALERTS", base_url=slack.url)
    notifier = SlackNotifier("slack", cfg, slack.token, pace=0, public_url="https://mon.example/")
    first = make_alert(event_id="missile_launch:north-korea:2022-01-05#2")
    ref = await notifier.send(first, None)
    await notifier.send(make_alert("a000000000000000000000002", kind="followup"), ref)
    (message,) = slack.messages()
    assert buttons(message) == [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "View event"},
            "url": "https://mon.example/events/missile_launch%3Anorth-korea%3A2022-01-05%232",
        }
    ]
    (reply,) = slack.replies(ref.id)
    assert buttons(reply) == []
    await notifier.aclose()


async def test_no_button_without_a_public_url(slack: SlackServer) -> None:
    cfg = SlackDestination(type="slack", channel="C0ALERTS", base_url=slack.url)
    notifier = SlackNotifier("slack", cfg, slack.token, pace=0)
    await notifier.send(make_alert(), None)
    (message,) = slack.messages()
    assert message["text"] and buttons(message) == []
    await notifier.aclose()


async def test_a_sent_message_keeps_its_permalink_for_the_console(slack: SlackServer) -> None:
    cfg = SlackDestination(type="slack", channel="C0ALERTS", base_url=slack.url)
    notifier = SlackNotifier("slack", cfg, slack.token, pace=0)
    ref = await notifier.send(make_alert(), None)
    assert ref.link == slack.permalink(ref.id)
    assert RemoteRef.from_json(ref.to_json()).link == ref.link
    await notifier.aclose()


async def test_without_a_permalink_the_message_is_sent_all_the_same(slack: SlackServer) -> None:
    cfg = SlackDestination(type="slack", channel="C0ALERTS", base_url=slack.url)
    notifier = SlackNotifier("slack", cfg, slack.token, pace=0)
    slack.fail("chat.getPermalink", error="message_not_found")
    ref = await notifier.send(make_alert(), None)
    assert ref.link is None and len(slack.messages()) == 1
    await notifier.aclose()


def test_the_console_links_an_alert_to_its_message() -> None:
    at = datetime(2022, 1, 5, tzinfo=UTC)
    link = "https://team.slack.com/archives/C0ALERTS/p1641340800000100"
    kept = RemoteRef("slack", "1641340800.000100", "C0ALERTS", link)
    older = RemoteRef("slack", "1641340800.000100", "C0ALERTS")
    views = [alert_view(OutboxRow(make_alert(), 1, None, "alert", at, r)) for r in (kept, older)]
    assert views[0].slack_link == link
    assert views[1].slack_link == "https://slack.com/app_redirect?channel=C0ALERTS"
