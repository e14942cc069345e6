"""Shared fixtures: an outbox (on SQLite and on PostgreSQL), a controllable clock, sample alerts,
the test servers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from monitor.models import Alert, Article, Detection, Event, Evidence
from monitor.store import Store
from monitor.store.outbox import OutboxRepo
from tests.servers.slack import SlackServer

T0 = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)


class Clock:
    """Time that moves only when told; `sleep` advances it instead of waiting."""

    def __init__(self, start: datetime = T0) -> None:
        self.t = start
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += timedelta(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)


@pytest.fixture(autouse=True)
async def _settle_transports() -> AsyncIterator[None]:
    """Let closed client connections finish closing before the test's event loop ends, or
    asyncio reports them as unclosed (aiosmtplib returns as soon as it has sent QUIT)."""
    yield
    for _ in range(3):
        await asyncio.sleep(0.01)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox(store: Store) -> OutboxRepo:
    """The outbox of a migrated store, once on SQLite and once on PostgreSQL."""
    return store.outbox


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with SlackServer() as server:
        yield server


def make_event(n_outlets: int = 1, event_id: str = "ev-1") -> Event:
    outlets = ("Yonhap", "Reuters", "NHK", "AP", "AFP")[:n_outlets]
    return Event(
        id=event_id,
        event_type="missile_launch",
        subtype="test",
        actor="north-korea",
        event_date=date(2024, 5, 1),
        weapon="ballistic missile",
        first_article="yonhap:1",
        outlets=outlets,
        facts={"count": "2", "place": "Sea of Japan"} if n_outlets > 1 else {},
    )


def make_article(
    title: str = "North Korea fires ballistic missile", outlet: str = "Yonhap", n: int = 1
) -> Article:
    return Article(
        id=f"{outlet.lower()}:{n}",
        outlet=outlet,
        title=title,
        text="North Korea fired a ballistic missile into the sea on Wednesday, officials said.",
        url=f"https://news.example/{outlet.lower()}/{n}?a=1&b=2",
        published=T0,
    )


def make_detection(rule: str = "missile_launch") -> Detection:
    return Detection(
        event_type="missile_launch",
        subtype="test",
        rule=rule,
        score=0.91,
        actor="north-korea",
        weapon="ballistic missile",
        event_date=date(2024, 5, 1),
        evidence=(Evidence(rule, "actor", "North Korea", 0, 1.0),),
    )


def make_alert(
    alert_id: str = "a000000000000000000000001",
    destination: str = "slack",
    headline: str = "North Korea fires ballistic missile",
    **kw: object,
) -> Alert:
    alert = Alert(
        id=alert_id,
        event_id="ev-1",
        destination=destination,
        kind="new",
        article_id="yonhap:1",
        headline=headline,
        outlet="Yonhap",
        url="https://news.example/yonhap/1?a=1&b=2",
        summary="North Korea fired a ballistic missile into the sea on Wednesday.",
        published=T0,
        explanation=("rule missile_launch: score 0.91", "actor: 'North Korea' at 0"),
        event=make_event(),
        created_at=T0,
    )
    return replace(alert, **kw)  # type: ignore[arg-type]
