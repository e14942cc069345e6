"""The test alert `monitor test-alert` sends: a real alert's look, marked as a test.

It is rendered from the seed event, North Korea's ballistic missile test of 5 January 2022 (the
wire report `monitor demo` serves, monitor/data/demo), detected by the shipped rules as a real
report would be. "[TEST]" starts its title (the Slack header, the email subject) and its text
says it is a test from monitor and that nothing has happened.

It goes straight to the notifier, never through the outbox: it is not recorded, not counted as
the seed event's alert and not deduplicated against one. Its ids are new on every run
("test-…"), so crash recovery, which finds messages by alert id, never takes it for a real
alert, and a webhook's Idempotency-Key never repeats.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from monitor.demo import load_stories
from monitor.detect import detect, load_rules
from monitor.errors import DeliveryError
from monitor.models import Alert, Article, Event
from monitor.notify.base import TEST_ID_PREFIX, Notifier
from monitor.notify.email import EmailNotifier
from monitor.notify.retry import classify_exception
from monitor.notify.route import short_summary
from monitor.notify.slack import SlackNotifier
from monitor.notify.slack_webhook import SlackWebhookNotifier
from monitor.notify.webhook import WebhookNotifier
from monitor.store.outbox import RemoteRef

SEED = "north-korea-missile"  # the story's slug in monitor/data/demo/stories.json
MARK = "[TEST]"
ID_PREFIX = TEST_ID_PREFIX


def seed_alert(now: datetime) -> Alert:
    """The test alert, for no destination yet (`for_destination` gives each its own)."""
    outlets, stories = load_stories()
    story = next(s for s in stories if s.slug == SEED)
    article = Article(
        id=f"test:{story.slug}",
        outlet=outlets[story.outlet]["name"],
        title=story.title,
        text=story.text,
        url=None,
        published=story.published,
        language="en",
    )
    found = detect(article, load_rules(None))
    event = Event(
        id=f"test:{secrets.token_hex(6)}",
        event_type=found.event_type if found else "missile_launch",
        subtype=found.subtype if found else "test",
        actor=found.actor if found else "north-korea",
        event_date=found.event_date if found else story.published.date(),
        weapon=found.weapon if found else "ballistic missile",
        first_article=article.id,
        outlets=(article.outlet,),
    )
    note = (
        f"This is a test alert from monitor (`monitor test-alert`), sent "
        f"{now:%Y-%m-%d %H:%M} UTC: nothing has happened. It shows how a real alert arrives "
        "here, using the report of North Korea's ballistic missile test of 5 January 2022."
    )
    return Alert(
        id=ID_PREFIX,
        event_id=event.id,
        destination="",
        kind="new",
        article_id=article.id,
        headline=f"{MARK} {story.title}",
        outlet=article.outlet,
        url=None,
        summary=f"{note}\n\n{short_summary(article.text)}",
        published=story.published,
        explanation=tuple(found.explain()) if found else ("test alert: no rule was run",),
        event=event,
        created_at=now,
        language="en",
    )


def for_destination(template: Alert, destination: str) -> Alert:
    return replace(template, id=ID_PREFIX + secrets.token_hex(10), destination=destination)


@dataclass(frozen=True, slots=True)
class Sent:
    destination: str
    ok: bool
    detail: str  # where it landed (channel and link, recipients...) or why it did not

    def line(self) -> str:
        return f"{self.destination}: {'sent' if self.ok else 'FAILED'}: {self.detail}"


async def send_test_alerts(
    notifiers: Mapping[str, Notifier], names: Iterable[str], now: datetime
) -> list[Sent]:
    """Send the test alert to each named destination now; one outcome each."""
    template = seed_alert(now)
    out = []
    for name in names:
        notifier = notifiers[name]
        try:
            ref = await notifier.send(for_destination(template, name), None)
            out.append(Sent(name, True, await _landed(notifier, ref)))
        except DeliveryError as exc:
            out.append(Sent(name, False, exc.reason))
        except Exception as exc:
            out.append(Sent(name, False, classify_exception(name, exc).reason))
    return out


async def _landed(notifier: Notifier, ref: RemoteRef) -> str:
    if isinstance(notifier, SlackNotifier):
        link = await notifier.permalink(ref)
        return (
            f"posted to channel {ref.channel} by {notifier.where}: "
            f"{link or f'message ts {ref.id} (no link: the server gave no permalink)'}"
        )
    if isinstance(notifier, SlackWebhookNotifier):
        return f"posted to {notifier.where} (the webhook's channel)"
    if isinstance(notifier, EmailNotifier):
        to = ", ".join(notifier.cfg.to)
        return f"mailed to {to} through {notifier.where}, Message-ID {ref.id}"
    if isinstance(notifier, WebhookNotifier):
        return f"delivered to {notifier.where}, Idempotency-Key {ref.id}"
    return "printed above"
