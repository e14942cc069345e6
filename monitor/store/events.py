"""Events and the reports that make them up.

    dedup_events         one row per real-world event; `event_date` is the stated local date,
                         or while no report has stated one (`date_certain` = 0) the date of
                         publication the event was anchored on
    dedup_event_reports  event -> article, one row per report
    dedup_parked         background reports (a launch only mentioned in the body) that found
                         no event yet: the first report that opens a fitting event takes them
    dedup_report_details what detection found in each report (title, link, language, score,
                         role, explanation), by article and event type: the console shows it
                         for every report, where an alert carries it only for the one it was
                         sent about

Facts and outlets are JSON kept on the event row, so reading an event costs one row whatever
its size. Dates are ISO TEXT, timestamps epoch seconds. The tables are Alembic's
(monitor.store.migrations).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from monitor.store.db import Database

# What rows are read as: cells by position.
Rows = Sequence[Sequence[Any]]

_COLUMNS = (
    "id, event_type, subtype, actor, event_date, date_certain, weapon, first_article, facts, "
    "outlets, created_at, updated_at"
)


@dataclass(frozen=True, slots=True)
class EventRow:
    id: str
    event_type: str
    subtype: str | None
    actor: str | None
    event_date: date
    date_certain: bool
    weapon: str | None
    first_article: str
    created_at: int
    updated_at: int
    outlets: tuple[str, ...] = ()
    facts: dict[str, str] = field(default_factory=dict, compare=False)

    def evolve(self, **changes: Any) -> EventRow:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class ReportDetail:
    """What detection found in one report, as the console shows it."""

    title: str
    url: str | None
    language: str | None  # ISO 639-1, when known
    published: datetime | None  # UTC, whole seconds
    role: str  # "peg" or "background" (monitor.models.Role)
    score: float
    explanation: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One report of an event as grouping recorded it, with its detection's detail when that
    was recorded (reports recorded before the store kept it have none)."""

    event_id: str
    article_id: str
    outlet: str
    date_certain: bool
    added_at: int
    detail: ReportDetail | None = None


@dataclass(frozen=True, slots=True)
class Parked:
    article_id: str
    event_date: date
    outlet: str


def _detail(r: Sequence[Any]) -> ReportDetail | None:
    """The detail in cells title, url, language, published, role, score, explanation; None
    when the left join found none."""
    if r[0] is None:
        return None
    return ReportDetail(
        title=str(r[0]),
        url=r[1],
        language=r[2],
        published=datetime.fromtimestamp(int(r[3]), UTC) if r[3] is not None else None,
        role=str(r[4]),
        score=float(r[5]),
        explanation=tuple(str(line) for line in json.loads(r[6])),
    )


def _row(r: Sequence[Any]) -> EventRow:
    return EventRow(
        id=str(r[0]),
        event_type=str(r[1]),
        subtype=r[2],
        actor=r[3],
        event_date=date.fromisoformat(str(r[4])),
        date_certain=bool(r[5]),
        weapon=r[6],
        first_article=str(r[7]),
        facts=dict(json.loads(r[8])),
        outlets=tuple(json.loads(r[9])),
        created_at=int(r[10]),
        updated_at=int(r[11]),
    )


class EventRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, event_id: str) -> EventRow | None:
        r = await self.db.one(
            f"SELECT {_COLUMNS} FROM dedup_events WHERE id = :id", {"id": event_id}
        )
        return _row(r) if r else None

    async def recent(self, limit: int = 20) -> list[EventRow]:
        """The most recently updated events, newest first."""
        rows = await self.db.execute(
            f"SELECT {_COLUMNS} FROM dedup_events ORDER BY updated_at DESC, id LIMIT :limit",
            {"limit": limit},
        )
        return [_row(r) for r in rows]

    async def exists(self, event_id: str) -> bool:
        row = await self.db.one("SELECT 1 FROM dedup_events WHERE id = :id", {"id": event_id})
        return row is not None

    async def in_window(
        self, event_type: str, actor: str, first: date, last: date
    ) -> list[EventRow]:
        """Events of this type and actor dated `first`..`last` (inclusive), oldest first."""
        rows = await self.db.execute(
            f"SELECT {_COLUMNS} FROM dedup_events WHERE event_type = :type AND actor = :actor "
            "AND event_date >= :first AND event_date <= :last ORDER BY event_date, id",
            {
                "type": event_type,
                "actor": actor,
                "first": first.isoformat(),
                "last": last.isoformat(),
            },
        )
        return [_row(r) for r in rows]

    async def latest_of_actor(self, event_type: str, actor: str, limit: int) -> list[EventRow]:
        """The actor's events with the latest reports, latest first, at most `limit`."""
        rows = await self.db.execute(
            f"SELECT {_COLUMNS} FROM dedup_events WHERE event_type = :type AND actor = :actor "
            "ORDER BY updated_at DESC, id DESC LIMIT :limit",
            {"type": event_type, "actor": actor, "limit": limit},
        )
        return [_row(r) for r in rows]

    async def of_articles(self, event_type: str, article_ids: Sequence[str]) -> dict[str, EventRow]:
        """The event of `event_type` each of these articles reports, by article id.

        Two lookups by key, the reports by article then their events by id, rather than one
        join: a join lets the planner start from every event of the type, which grows with
        the store."""
        if not article_ids:
            return {}
        reports: Rows = await self.db.execute(
            "SELECT article_id, event_id FROM dedup_event_reports WHERE article_id IN :ids",
            {"ids": list(dict.fromkeys(article_ids))},
        )
        if not reports:
            return {}
        rows = await self.db.execute(
            f"SELECT {_COLUMNS} FROM dedup_events WHERE id IN :ids AND event_type = :type",
            {"ids": sorted({str(r[1]) for r in reports}), "type": event_type},
        )
        events = {str(r[0]): _row(r) for r in rows}
        return {
            str(article_id): events[str(event_id)]
            for article_id, event_id in sorted(reports, key=lambda r: (str(r[0]), str(r[1])))
            if str(event_id) in events
        }

    async def last_stamp(self) -> int:
        """The latest time stamp any event or parked report was given (0 in an empty store):
        where the next one must start for "the latest report" to stay defined."""
        row = await self.db.one(
            "SELECT (SELECT MAX(updated_at) FROM dedup_events), "
            "(SELECT MAX(parked_at) FROM dedup_parked)"
        )
        return max((int(v) for v in (row or ()) if v is not None), default=0)

    async def create(self, event: EventRow) -> None:
        await self.db.execute(
            f"INSERT INTO dedup_events ({_COLUMNS}) VALUES (:id, :event_type, :subtype, :actor, "
            ":event_date, :date_certain, :weapon, :first_article, :facts, :outlets, :created_at, "
            ":updated_at)",
            {
                **_changeable(event),
                "event_type": event.event_type,
                "actor": event.actor,
                "first_article": event.first_article,
                "created_at": event.created_at,
            },
        )

    async def update(self, event: EventRow) -> None:
        """Write back what a report may change: date, facts, outlets, weapon, subtype."""
        await self.db.execute(
            "UPDATE dedup_events SET subtype = :subtype, event_date = :event_date, "
            "date_certain = :date_certain, weapon = :weapon, facts = :facts, outlets = :outlets, "
            "updated_at = :updated_at WHERE id = :id",
            _changeable(event),
        )

    async def add_report(
        self, event_id: str, article_id: str, outlet: str, date_certain: bool, at: int
    ) -> None:
        await self.db.execute(
            "INSERT INTO dedup_event_reports "
            "(event_id, article_id, outlet, date_certain, added_at) "
            "VALUES (:event_id, :article_id, :outlet, :date_certain, :at) "
            "ON CONFLICT (event_id, article_id) DO NOTHING",
            {
                "event_id": event_id,
                "article_id": article_id,
                "outlet": outlet,
                "date_certain": int(date_certain),
                "at": at,
            },
        )

    async def park(
        self, article_id: str, event_type: str, actor: str, day: date, outlet: str, at: int
    ) -> None:
        """Keep a background report that found no event, for an event opened later."""
        await self.db.execute(
            "INSERT INTO dedup_parked (article_id, event_type, actor, event_date, outlet, "
            "parked_at) VALUES (:article_id, :type, :actor, :day, :outlet, :at) "
            "ON CONFLICT (article_id, event_type) DO NOTHING",
            {
                "article_id": article_id,
                "type": event_type,
                "actor": actor,
                "day": day.isoformat(),
                "outlet": outlet,
                "at": at,
            },
        )

    async def parked(self, event_type: str, actor: str, first: date, last: date) -> list[Parked]:
        """Parked reports of this type and actor dated `first`..`last`, oldest first."""
        rows: Rows = await self.db.execute(
            "SELECT article_id, event_date, outlet FROM dedup_parked WHERE event_type = :type "
            "AND actor = :actor AND event_date >= :first AND event_date <= :last "
            "ORDER BY parked_at, article_id",
            {
                "type": event_type,
                "actor": actor,
                "first": first.isoformat(),
                "last": last.isoformat(),
            },
        )
        return [Parked(str(r[0]), date.fromisoformat(str(r[1])), str(r[2])) for r in rows]

    async def unpark(self, event_type: str, article_ids: Sequence[str]) -> None:
        if not article_ids:
            return
        await self.db.execute(
            "DELETE FROM dedup_parked WHERE event_type = :type AND article_id IN :ids",
            {"type": event_type, "ids": list(article_ids)},
        )

    async def reports(self, event_id: str) -> list[str]:
        """Article ids of the event's reports, in the order they were added."""
        rows = await self.db.execute(
            "SELECT article_id FROM dedup_event_reports WHERE event_id = :id "
            "ORDER BY added_at, article_id",
            {"id": event_id},
        )
        return [str(r[0]) for r in rows]

    async def newest(self, limit: int = 50, offset: int = 0) -> list[EventRow]:
        """Events by when they were opened, newest first: the console's list, a page at a time."""
        rows = await self.db.execute(
            f"SELECT {_COLUMNS} FROM dedup_events ORDER BY created_at DESC, id DESC "
            "LIMIT :limit OFFSET :offset",
            {"limit": limit, "offset": offset},
        )
        return [_row(r) for r in rows]

    async def count(self) -> int:
        return int(await self.db.scalar("SELECT COUNT(*) FROM dedup_events"))

    async def report_rows(self, event_ids: Sequence[str]) -> list[ReportRow]:
        """The reports of these events, each event's in the order they were added, each with
        the detail recorded for its article and its event's type."""
        if not event_ids:
            return []
        rows = await self.db.execute(
            "SELECT r.event_id, r.article_id, r.outlet, r.date_certain, r.added_at, d.title, "
            "d.url, d.language, d.published, d.role, d.score, d.explanation "
            "FROM dedup_event_reports r LEFT JOIN dedup_events e ON e.id = r.event_id "
            "LEFT JOIN dedup_report_details d "
            "ON d.article_id = r.article_id AND d.event_type = e.event_type "
            "WHERE r.event_id IN :ids ORDER BY r.event_id, r.added_at, r.article_id",
            {"ids": list(dict.fromkeys(event_ids))},
        )
        return [
            ReportRow(str(r[0]), str(r[1]), str(r[2]), bool(r[3]), int(r[4]), _detail(r[5:]))
            for r in rows
        ]

    async def add_detail(
        self, article_id: str, event_type: str, detail: ReportDetail, at: int
    ) -> None:
        """Keep what detection found in a report; the first reading of an article is kept."""
        published = detail.published
        await self.db.execute(
            "INSERT INTO dedup_report_details (article_id, event_type, title, url, language, "
            "published, role, score, explanation, recorded_at) VALUES (:article_id, :type, "
            ":title, :url, :language, :published, :role, :score, :explanation, :at) "
            "ON CONFLICT (article_id, event_type) DO NOTHING",
            {
                "article_id": article_id,
                "type": event_type,
                "title": detail.title,
                "url": detail.url,
                "language": detail.language,
                "published": int(published.timestamp()) if published is not None else None,
                "role": detail.role,
                "score": repr(float(detail.score)),
                "explanation": json.dumps(list(detail.explanation)),
                "at": at,
            },
        )

    async def move_reports(
        self, article_ids: Sequence[str], source: str, target: EventRow, at: int
    ) -> list[str]:
        """Correct a grouping by hand: move these reports of `source` (all of them when none
        are named) to `target`, creating it when it does not exist yet. Each event's outlets
        are recomputed from the reports it keeps, and `source` is deleted when none is left.
        Returns the article ids moved."""
        async with self.db.transaction():
            moving = [
                r
                for r in await self.report_rows([source])
                if not article_ids or r.article_id in article_ids
            ]
            if not moving:
                return []
            if not await self.exists(target.id):
                await self.create(target.evolve(first_article=moving[0].article_id))
            ids = [r.article_id for r in moving]
            await self.db.execute(
                "DELETE FROM dedup_event_reports WHERE event_id = :source AND article_id IN :ids",
                {"source": source, "ids": ids},
            )
            for r in moving:
                await self.add_report(target.id, r.article_id, r.outlet, r.date_certain, at)
            for event_id in (source, target.id):
                await self._refresh_outlets(event_id, at)
        return ids

    async def _refresh_outlets(self, event_id: str, at: int) -> None:
        """Recompute an event's outlets from its reports; delete it when it has none."""
        event = await self.get(event_id)
        if event is None:
            return
        outlets = tuple(dict.fromkeys(r.outlet for r in await self.report_rows([event_id])))
        if not outlets:
            await self.db.execute("DELETE FROM dedup_events WHERE id = :id", {"id": event_id})
            return
        await self.update(event.evolve(outlets=outlets, updated_at=max(at, event.updated_at)))

    async def delete_older(self, cutoff: int) -> int:
        """Forget events without a report since `cutoff`, and reports parked or details
        recorded before it; returns the number of events removed."""
        params = {"cutoff": cutoff}
        async with self.db.transaction():
            await self.db.execute(
                "DELETE FROM dedup_event_reports WHERE event_id IN "
                "(SELECT id FROM dedup_events WHERE updated_at < :cutoff)",
                params,
            )
            removed = await self.db.scalar(
                "SELECT COUNT(*) FROM dedup_events WHERE updated_at < :cutoff", params
            )
            await self.db.execute("DELETE FROM dedup_events WHERE updated_at < :cutoff", params)
            await self.db.execute("DELETE FROM dedup_parked WHERE parked_at < :cutoff", params)
            await self.db.execute(
                "DELETE FROM dedup_report_details WHERE recorded_at < :cutoff", params
            )
        return int(removed)


def _changeable(event: EventRow) -> dict[str, Any]:
    """The parameters of what a report may change, and the id."""
    return {
        "id": event.id,
        "subtype": event.subtype,
        "event_date": event.event_date.isoformat(),
        "date_certain": int(event.date_certain),
        "weapon": event.weapon,
        "facts": json.dumps(event.facts, sort_keys=True),
        "outlets": json.dumps(list(event.outlets)),
        "updated_at": event.updated_at,
    }
