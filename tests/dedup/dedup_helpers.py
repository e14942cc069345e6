"""Texts and builders shared by the dedup tests (a module, not conftest, so tests can import it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor.config import EventsConfig
from monitor.dedup import Assignment, Deduplicator
from monitor.models import Article, Detection, Entry, Evidence
from monitor.store import Store, open_store

DATA = Path(__file__).parent.parent / "data"
AP_SEED = (DATA / "seeds" / "ap-2022-01-05-north-korea-missile.txt").read_text(encoding="utf-8")
NEWSWEEK_SEED = (DATA / "seeds" / "newsweek-2022-01-05-north-korea-missile.txt").read_text(
    encoding="utf-8"
)
KCNA_SATELLITE = (DATA / "dedup" / "kcna-60-satellite-launch-2024-05-27.txt").read_text(
    encoding="utf-8"
)

# A report of the next launch, six days later, written the way wire services write follow-ups:
# a new lead, then the background paragraphs of the earlier story reused word for word. It
# reads alike, yet it is a different event.
_AP_PARAGRAPHS = AP_SEED.splitlines()
JAN_11_REPORT = "\n".join(
    [
        "North Korea fired a suspected ballistic missile into the sea on Tuesday, South Korea's "
        "military said, its second launch in a week, days after it claimed to have tested a "
        "hypersonic missile.",
        "South Korea's Joint Chiefs of Staff said the missile was launched from an inland area "
        "toward the waters off the North's east coast and that it flew farther and faster than "
        "the weapon fired last Wednesday.",
        "Japan's coast guard urged ships to watch for falling objects, and Prime Minister Fumio "
        "Kishida called the repeated launches extremely regrettable.",
        *_AP_PARAGRAPHS[3:],
    ]
)

T0 = datetime(2022, 1, 5, 0, 0, tzinfo=UTC)
JAN_5 = date(2022, 1, 5)
JAN_11 = date(2022, 1, 11)


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def article(
    article_id: str,
    text: str,
    published: datetime | None,
    outlet: str | None = None,
    title: str = "",
    url: str | None = None,
) -> Article:
    return Article(
        id=article_id,
        outlet=outlet or article_id.split(":", 1)[0],
        title=title,
        text=text,
        url=url,
        published=published,
    )


def detection(
    actor: str | None,
    day: date | None,
    *,
    stated: bool = True,
    reaction: bool = False,
    weapon: str | None = "ballistic missile",
    count: int | None = None,
    place: str | None = None,
    subtype: str | None = "test",
    event_type: str = "missile_launch",
) -> Detection:
    """A detection; `stated=False` marks the date as the publication stand-in, `reaction=True`
    as the day of a reaction to the launch (the launch came on or before it), as detect does."""
    part = "date:reaction" if reaction else "date" if stated else "date:publication"
    return Detection(
        event_type=event_type,
        subtype=subtype,
        rule="launch",
        score=1.0,
        actor=actor,
        weapon=weapon,
        event_date=day,
        count=count,
        place=place,
        evidence=(Evidence("launch", part, str(day), 0),),
    )


class Clock:
    def __init__(self, start: datetime = T0) -> None:
        self.t = start

    def now(self) -> datetime:
        return self.t

    def advance(self, **delta: float) -> None:
        self.t += timedelta(**delta)


def make_dedup(store: Store, clock: Clock, **config: Any) -> Deduplicator:
    return Deduplicator(store, EventsConfig(**config), clock.now)


def entry_of(art: Article, guid: str | None = None) -> Entry:
    """The feed entry an article came from."""
    return Entry(art.outlet, guid, art.url, art.title, "", art.published)


async def assign(dedup: Deduplicator, art: Article, det: Detection) -> Assignment | None:
    """Record an article with one detection, as the pipeline does, and where it went."""
    [placed] = await dedup.record(entry_of(art), art, [det])
    return placed


async def placed(dedup: Deduplicator, art: Article, det: Detection) -> Assignment:
    """Like `assign`, for a report that must find or open an event."""
    result = await assign(dedup, art, det)
    assert result is not None, f"{art.id}: no event"
    return result


EMPTY_TABLES = (
    "dedup_report_details",
    "dedup_event_reports",
    "dedup_parked",
    "dedup_events",
    "dedup_item_keys",
    "dedup_items",
)


async def empty(store: Store) -> None:
    """Forget every item and event, keeping the schema."""
    for table in EMPTY_TABLES:
        await store.db.execute(f"DELETE FROM {table}")


class Backend:
    """Opens stores on one database, each like a restarted service (or another replica)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._open: list[Store] = []

    async def open(self) -> Store:
        store = await open_store(self.url)
        self._open.append(store)
        return store

    async def close_all(self) -> None:
        for store in self._open:
            await store.close()
