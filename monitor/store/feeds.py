"""Per-feed polling state: validators for conditional GET, schedule, health and counts.

Keyed by feed URL, so renaming a feed in the config keeps its state and a feed removed and added
again resumes where it was. Times are stored as epoch seconds and handed out as aware UTC
datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from monitor.store.db import Database, Row

SCHEMA: list[tuple[str, str]] = [
    (
        "feeds-1",
        """CREATE TABLE feed_state (
            url TEXT PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            etag TEXT,
            last_modified TEXT,
            body_hash TEXT,
            last_poll DOUBLE PRECISION,
            last_success DOUBLE PRECISION,
            last_outcome TEXT,
            next_poll DOUBLE PRECISION,
            error_streak BIGINT NOT NULL DEFAULT 0,
            item_count BIGINT NOT NULL DEFAULT 0,
            new_items BIGINT NOT NULL DEFAULT 0,
            last_error TEXT,
            health_alerted BIGINT NOT NULL DEFAULT 0
        )""",
    ),
]

_COLUMNS = (
    "url, name, etag, last_modified, body_hash, last_poll, last_success, last_outcome, "
    "next_poll, error_streak, item_count, new_items, last_error, health_alerted"
)


@dataclass(frozen=True, slots=True)
class FeedState:
    url: str
    name: str = ""
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    last_poll: datetime | None = None
    last_success: datetime | None = None
    last_outcome: str | None = None  # "200", "304", "unchanged", or an error kind ("timeout"...)
    next_poll: datetime | None = None
    error_streak: int = 0
    item_count: int = 0  # entries in the feed at the last successful parse
    new_items: int = 0  # new entries seen in this feed, all time
    last_error: str | None = None
    health_alerted: bool = False  # a "failing" feed-health alert was sent and not yet cleared

    @property
    def in_error(self) -> bool:
        return self.error_streak > 0


class FeedStateRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, url: str) -> FeedState | None:
        row = self._db.one(f"SELECT {_COLUMNS} FROM feed_state WHERE url = ?", (url,))
        return _state(row) if row else None

    def all(self) -> list[FeedState]:
        """Every feed's state, by name then URL, for `monitor status`."""
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM feed_state ORDER BY name, url")
        return [_state(r) for r in rows]

    def due(self, now: datetime) -> list[str]:
        """URLs whose next poll time has come (or was never set)."""
        rows = self._db.execute(
            "SELECT url FROM feed_state WHERE next_poll IS NULL OR next_poll <= ? ORDER BY url",
            (_ts(now),),
        )
        return [r[0] for r in rows]

    def record_success(
        self,
        url: str,
        *,
        now: datetime,
        next_poll: datetime,
        outcome: str = "200",
        name: str = "",
        etag: str | None = None,
        last_modified: str | None = None,
        body_hash: str | None = None,
        item_count: int | None = None,
        new_items: int = 0,
    ) -> FeedState:
        """A poll that worked (200, 304, or a 200 with an unchanged body): reset the streak.

        Validators are replaced only when given, so a 304 without them keeps the old ones.
        """
        with self._db.transaction():
            self._ensure(url, name)
            self._db.execute(
                """UPDATE feed_state SET
                    name = CASE WHEN ? = '' THEN name ELSE ? END,
                    etag = COALESCE(?, etag),
                    last_modified = COALESCE(?, last_modified),
                    body_hash = COALESCE(?, body_hash),
                    last_poll = ?, last_success = ?, last_outcome = ?, next_poll = ?,
                    error_streak = 0, last_error = NULL,
                    item_count = COALESCE(?, item_count),
                    new_items = new_items + ?
                WHERE url = ?""",
                (
                    name,
                    name,
                    etag,
                    last_modified,
                    body_hash,
                    _ts(now),
                    _ts(now),
                    outcome,
                    _ts(next_poll),
                    item_count,
                    new_items,
                    url,
                ),
            )
            return self._must(url)

    def record_failure(
        self,
        url: str,
        *,
        now: datetime,
        outcome: str,
        error: str,
        next_poll: datetime | None = None,
        name: str = "",
    ) -> FeedState:
        """A failed poll: count it in the streak. Pass next_poll, or set it with set_next_poll
        once the new streak is known (see monitor.schedule.error_delay)."""
        with self._db.transaction():
            self._ensure(url, name)
            self._db.execute(
                """UPDATE feed_state SET last_poll = ?, last_outcome = ?, last_error = ?,
                    error_streak = error_streak + 1, next_poll = COALESCE(?, next_poll)
                WHERE url = ?""",
                (_ts(now), outcome, error, _ts(next_poll) if next_poll else None, url),
            )
            return self._must(url)

    def set_next_poll(self, url: str, when: datetime) -> None:
        self._db.execute("UPDATE feed_state SET next_poll = ? WHERE url = ?", (_ts(when), url))

    def set_health_alerted(self, url: str, alerted: bool) -> None:
        self._db.execute(
            "UPDATE feed_state SET health_alerted = ? WHERE url = ?", (int(alerted), url)
        )

    def forget_validators(self, url: str) -> None:
        """Drop ETag, Last-Modified and body hash: the next poll fetches and parses in full
        (e.g. after the feed's headers or rules changed)."""
        self._db.execute(
            "UPDATE feed_state SET etag = NULL, last_modified = NULL, body_hash = NULL "
            "WHERE url = ?",
            (url,),
        )

    def remove(self, url: str) -> None:
        self._db.execute("DELETE FROM feed_state WHERE url = ?", (url,))

    def count_in_error(self) -> int:
        row = self._db.one("SELECT COUNT(*) FROM feed_state WHERE error_streak > 0")
        return int(row[0]) if row else 0

    def _ensure(self, url: str, name: str) -> None:
        if self._db.one("SELECT 1 FROM feed_state WHERE url = ?", (url,)) is None:
            self._db.execute("INSERT INTO feed_state (url, name) VALUES (?, ?)", (url, name))
        elif name:
            self._db.execute("UPDATE feed_state SET name = ? WHERE url = ?", (name, url))

    def _must(self, url: str) -> FeedState:
        state = self.get(url)
        assert state is not None, url
        return state


def _ts(when: datetime) -> float:
    if when.tzinfo is None:
        raise ValueError(f"naive datetime {when!r}; pass timezone-aware times")
    return when.timestamp()


def _dt(value: Any) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(float(value), UTC)


def _state(row: Row) -> FeedState:
    return FeedState(
        url=row[0],
        name=row[1] or "",
        etag=row[2],
        last_modified=row[3],
        body_hash=row[4],
        last_poll=_dt(row[5]),
        last_success=_dt(row[6]),
        last_outcome=row[7],
        next_poll=_dt(row[8]),
        error_streak=int(row[9]),
        item_count=int(row[10]),
        new_items=int(row[11]),
        last_error=row[12],
        health_alerted=bool(row[13]),
    )
