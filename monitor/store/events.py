"""Events and the reports that make them up.

    dedup_events         one row per real-world event; `event_date` is the stated local date,
                         or while no report has stated one (`date_certain` = 0) the date of
                         publication the event was anchored on
    dedup_event_reports  event -> article, one row per report
    dedup_parked         background reports (a launch only mentioned in the body) that found
                         no event yet: the first report that opens a fitting event takes them

Facts and outlets are JSON kept on the event row, so reading an event costs one row whatever
its size. Dates are ISO TEXT, timestamps epoch seconds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from monitor.store.db import Database, Row

SCHEMA: list[tuple[str, str]] = [
    (
        "dedup-events-1",
        """CREATE TABLE dedup_events (
            id TEXT PRIMARY KEY,
            event_type TEXT NOT NULL,
            subtype TEXT,
            actor TEXT,
            event_date TEXT NOT NULL,
            date_certain BIGINT NOT NULL,
            weapon TEXT,
            first_article TEXT NOT NULL,
            facts TEXT NOT NULL,
            outlets TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )""",
    ),
    (
        "dedup-events-2",
        "CREATE INDEX dedup_events_key ON dedup_events (event_type, actor, event_date)",
    ),
    ("dedup-events-3", "CREATE INDEX dedup_events_updated ON dedup_events (updated_at)"),
    (
        "dedup-event-reports-1",
        """CREATE TABLE dedup_event_reports (
            event_id TEXT NOT NULL,
            article_id TEXT NOT NULL,
            outlet TEXT NOT NULL,
            date_certain BIGINT NOT NULL,
            added_at BIGINT NOT NULL,
            PRIMARY KEY (event_id, article_id)
        )""",
    ),
    (
        "dedup-event-reports-2",
        "CREATE INDEX dedup_event_reports_article ON dedup_event_reports (article_id)",
    ),
    (
        "dedup-events-4",
        "CREATE INDEX dedup_events_latest ON dedup_events (event_type, actor, updated_at)",
    ),
    (
        "dedup-parked-1",
        """CREATE TABLE dedup_parked (
            article_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            actor TEXT NOT NULL,
            event_date TEXT NOT NULL,
            outlet TEXT NOT NULL,
            parked_at BIGINT NOT NULL,
            PRIMARY KEY (article_id, event_type)
        )""",
    ),
    (
        "dedup-parked-2",
        "CREATE INDEX dedup_parked_key ON dedup_parked (event_type, actor, event_date)",
    ),
]

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
class Parked:
    article_id: str
    event_date: date
    outlet: str


def _row(r: Row) -> EventRow:
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

    def get(self, event_id: str) -> EventRow | None:
        r = self.db.one(f"SELECT {_COLUMNS} FROM dedup_events WHERE id = ?", (event_id,))
        return _row(r) if r else None

    def recent(self, limit: int = 20) -> list[EventRow]:
        """The most recently updated events, newest first."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM dedup_events ORDER BY updated_at DESC, id LIMIT ?", (limit,)
        )
        return [_row(r) for r in rows]

    def exists(self, event_id: str) -> bool:
        return self.db.one("SELECT 1 FROM dedup_events WHERE id = ?", (event_id,)) is not None

    def in_window(self, event_type: str, actor: str, first: date, last: date) -> list[EventRow]:
        """Events of this type and actor dated `first`..`last` (inclusive), oldest first."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM dedup_events WHERE event_type = ? AND actor = ? "
            "AND event_date >= ? AND event_date <= ? ORDER BY event_date, id",
            (event_type, actor, first.isoformat(), last.isoformat()),
        )
        return [_row(r) for r in rows]

    def latest_of_actor(self, event_type: str, actor: str, limit: int) -> list[EventRow]:
        """The actor's events with the latest reports, latest first, at most `limit`."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM dedup_events WHERE event_type = ? AND actor = ? "
            "ORDER BY updated_at DESC, id DESC LIMIT ?",
            (event_type, actor, limit),
        )
        return [_row(r) for r in rows]

    def of_articles(self, event_type: str, article_ids: Sequence[str]) -> dict[str, EventRow]:
        """The event of `event_type` each of these articles reports, by article id.

        Two lookups by key, the reports by article then their events by id, rather than one
        join: a join lets the planner start from every event of the type, which grows with
        the store."""
        if not article_ids:
            return {}
        ids = list(dict.fromkeys(article_ids))
        marks = ",".join("?" * len(ids))
        reports = self.db.execute(
            f"SELECT article_id, event_id FROM dedup_event_reports WHERE article_id IN ({marks})",
            ids,
        )
        if not reports:
            return {}
        event_ids = sorted({str(r[1]) for r in reports})
        marks = ",".join("?" * len(event_ids))
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM dedup_events WHERE id IN ({marks}) AND event_type = ?",
            (*event_ids, event_type),
        )
        events = {str(r[0]): _row(r) for r in rows}
        return {
            str(article_id): events[str(event_id)]
            for article_id, event_id in sorted(reports, key=lambda r: (str(r[0]), str(r[1])))
            if str(event_id) in events
        }

    def create(self, event: EventRow) -> None:
        self.db.execute(
            f"INSERT INTO dedup_events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event.id,
                event.event_type,
                event.subtype,
                event.actor,
                event.event_date.isoformat(),
                int(event.date_certain),
                event.weapon,
                event.first_article,
                json.dumps(event.facts, sort_keys=True),
                json.dumps(list(event.outlets)),
                event.created_at,
                event.updated_at,
            ),
        )

    def update(self, event: EventRow) -> None:
        """Write back what a report may change: date, facts, outlets, weapon, subtype."""
        self.db.execute(
            "UPDATE dedup_events SET subtype = ?, event_date = ?, date_certain = ?, weapon = ?, "
            "facts = ?, outlets = ?, updated_at = ? WHERE id = ?",
            (
                event.subtype,
                event.event_date.isoformat(),
                int(event.date_certain),
                event.weapon,
                json.dumps(event.facts, sort_keys=True),
                json.dumps(list(event.outlets)),
                event.updated_at,
                event.id,
            ),
        )

    def add_report(
        self, event_id: str, article_id: str, outlet: str, date_certain: bool, at: int
    ) -> None:
        self.db.execute(
            "INSERT INTO dedup_event_reports "
            "(event_id, article_id, outlet, date_certain, added_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (event_id, article_id) DO NOTHING",
            (event_id, article_id, outlet, int(date_certain), at),
        )

    def park(
        self, article_id: str, event_type: str, actor: str, day: date, outlet: str, at: int
    ) -> None:
        """Keep a background report that found no event, for an event opened later."""
        self.db.execute(
            "INSERT INTO dedup_parked (article_id, event_type, actor, event_date, outlet, "
            "parked_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id, event_type) DO NOTHING",
            (article_id, event_type, actor, day.isoformat(), outlet, at),
        )

    def parked(self, event_type: str, actor: str, first: date, last: date) -> list[Parked]:
        """Parked reports of this type and actor dated `first`..`last`, oldest first."""
        rows = self.db.execute(
            "SELECT article_id, event_date, outlet FROM dedup_parked WHERE event_type = ? "
            "AND actor = ? AND event_date >= ? AND event_date <= ? ORDER BY parked_at, article_id",
            (event_type, actor, first.isoformat(), last.isoformat()),
        )
        return [Parked(str(r[0]), date.fromisoformat(str(r[1])), str(r[2])) for r in rows]

    def unpark(self, event_type: str, article_ids: Sequence[str]) -> None:
        if not article_ids:
            return
        marks = ",".join("?" * len(article_ids))
        self.db.execute(
            f"DELETE FROM dedup_parked WHERE event_type = ? AND article_id IN ({marks})",
            (event_type, *article_ids),
        )

    def reports(self, event_id: str) -> list[str]:
        """Article ids of the event's reports, in the order they were added."""
        rows = self.db.execute(
            "SELECT article_id FROM dedup_event_reports WHERE event_id = ? "
            "ORDER BY added_at, article_id",
            (event_id,),
        )
        return [str(r[0]) for r in rows]

    def delete_older(self, cutoff: int) -> int:
        """Forget events without a report since `cutoff`; returns the number removed."""
        with self.db.transaction():
            self.db.execute(
                "DELETE FROM dedup_event_reports WHERE event_id IN "
                "(SELECT id FROM dedup_events WHERE updated_at < ?)",
                (cutoff,),
            )
            rows = self.db.execute(
                "SELECT COUNT(*) FROM dedup_events WHERE updated_at < ?", (cutoff,)
            )
            self.db.execute("DELETE FROM dedup_events WHERE updated_at < ?", (cutoff,))
            self.db.execute("DELETE FROM dedup_parked WHERE parked_at < ?", (cutoff,))
        return int(rows[0][0])
