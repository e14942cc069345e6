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

_COLUMNS = (
    "url, name, etag, last_modified, body_hash, last_poll, last_success, last_outcome, "
    "next_poll, error_streak, item_count, new_items, last_error, health_alerted, lease_holder, "
    "lease_until"
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
    lease_holder: str | None = None  # the replica polling it now, or last
    lease_until: datetime | None = None

    @property
    def in_error(self) -> bool:
        return self.error_streak > 0


class FeedStateRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, url: str) -> FeedState | None:
        row = await self._db.one(
            f"SELECT {_COLUMNS} FROM feed_state WHERE url = :url", {"url": url}
        )
        return _state(row) if row else None

    async def all(self) -> list[FeedState]:
        """Every feed's state, by name then URL, for `monitor status`."""
        rows = await self._db.execute(f"SELECT {_COLUMNS} FROM feed_state ORDER BY name, url")
        return [_state(r) for r in rows]

    async def due(self, now: datetime) -> list[str]:
        """URLs whose next poll time has come (or was never set)."""
        rows = await self._db.execute(
            "SELECT url FROM feed_state WHERE next_poll IS NULL OR next_poll <= :now ORDER BY url",
            {"now": _ts(now)},
        )
        return [r[0] for r in rows]

    # -- leases: one replica polls a feed at a time -------------------------------------------
    async def take_lease(
        self,
        url: str,
        name: str,
        holder: str,
        now: datetime,
        lease: float,
        *,
        due_only: bool = True,
        polled_before: datetime | None = None,
    ) -> FeedState | None:
        """Take the feed for one poll when no other replica is polling it and (`due_only`) its
        next poll has come, or (`polled_before`) it was last polled before that time: a replica
        starting beside another polls every feed at once, but not one the other has polled
        since it started.

        Returns its state (the lease its own), or None when another replica polls it now or
        polled it within its interval. On PostgreSQL the row is claimed `FOR UPDATE SKIP
        LOCKED`: a replica never waits on another one's claim, it moves on. A lease ends with
        the poll (record_success/record_failure), or `lease` seconds after it was last renewed
        when its replica died."""
        # One statement claims the row and hands its state back: no read, then write.
        free = (
            "url = :url AND (:any_time OR next_poll IS NULL OR next_poll <= :now) "
            "AND (:anyone OR last_poll IS NULL OR last_poll < :since) "
            "AND (lease_until IS NULL OR lease_until < :now OR lease_holder = :me)"
        )
        if self._db.dialect == "postgresql":
            free = f"url = (SELECT url FROM feed_state WHERE {free} FOR UPDATE SKIP LOCKED)"
        claim = (
            "UPDATE feed_state SET lease_holder = :me, lease_until = :until "
            f"WHERE {free} RETURNING {_COLUMNS}"
        )
        params = {
            "url": url,
            "now": _ts(now),
            "me": holder,
            "any_time": not due_only,
            "anyone": polled_before is None,
            "since": _ts(polled_before) if polled_before is not None else 0,
            "until": _ts(now) + lease,
        }
        row = await self._db.one(claim, params)
        if row is None:
            # A feed polled for the first time has no row yet: whoever makes it takes it.
            made = await self._db.execute(
                "INSERT INTO feed_state (url, name) VALUES (:url, :name) "
                "ON CONFLICT (url) DO NOTHING RETURNING url",
                {"url": url, "name": name},
            )
            if not made:
                return None
            row = await self._db.one(claim, params)
            if row is None:
                return None
        return _state(row)

    async def renew_leases(self, holder: str, now: datetime, lease: float) -> None:
        """Keep the leases of this replica's polls in progress from expiring."""
        await self._db.execute(
            "UPDATE feed_state SET lease_until = :until "
            "WHERE lease_holder = :me AND lease_until IS NOT NULL",
            {"me": holder, "until": _ts(now) + lease},
        )

    async def held_by(self, holder: str) -> list[str]:
        rows = await self._db.execute(
            "SELECT url FROM feed_state WHERE lease_holder = :me ORDER BY url", {"me": holder}
        )
        return [r[0] for r in rows]

    async def record_success(
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
        The poll's lease ends with it (it is kept as a record of who polled last).
        """
        return await self._record(
            url,
            name,
            """UPDATE feed_state SET
                    etag = COALESCE(:etag, etag),
                    last_modified = COALESCE(:last_modified, last_modified),
                    body_hash = COALESCE(:body_hash, body_hash),
                    last_poll = :now, last_success = :now, last_outcome = :outcome,
                    next_poll = :next_poll, error_streak = 0, last_error = NULL,
                    item_count = COALESCE(:item_count, item_count),
                    new_items = new_items + :new_items, lease_until = NULL""",
            {
                "etag": etag,
                "last_modified": last_modified,
                "body_hash": body_hash,
                "now": _ts(now),
                "outcome": outcome,
                "next_poll": _ts(next_poll),
                "item_count": item_count,
                "new_items": new_items,
            },
        )

    async def record_failure(
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
        return await self._record(
            url,
            name,
            """UPDATE feed_state SET last_poll = :now, last_outcome = :outcome,
                    last_error = :error, error_streak = error_streak + 1,
                    next_poll = COALESCE(:next_poll, next_poll), lease_until = NULL""",
            {
                "now": _ts(now),
                "outcome": outcome,
                "error": error,
                "next_poll": _ts(next_poll) if next_poll else None,
            },
        )

    async def _record(self, url: str, name: str, update: str, params: dict[str, Any]) -> FeedState:
        """One statement that sets the poll's outcome (and the name, when given) and hands the
        row back; the row is made first only for a feed that has none."""
        sql = (
            f"{update}, name = CASE WHEN :name = '' THEN name ELSE :name END "
            f"WHERE url = :url RETURNING {_COLUMNS}"
        )
        values = {**params, "url": url, "name": name}
        row = await self._db.one(sql, values)
        if row is None:
            async with self._db.transaction():
                await self._ensure(url, name)
                row = await self._db.one(sql, values)
        assert row is not None, url
        return _state(row)

    async def set_next_poll(self, url: str, when: datetime) -> None:
        await self._db.execute(
            "UPDATE feed_state SET next_poll = :when WHERE url = :url",
            {"when": _ts(when), "url": url},
        )

    async def set_health_alerted(self, url: str, alerted: bool) -> None:
        await self._db.execute(
            "UPDATE feed_state SET health_alerted = :a WHERE url = :url",
            {"a": int(alerted), "url": url},
        )

    async def forget_validators(self, url: str) -> None:
        """Drop ETag, Last-Modified and body hash: the next poll fetches and parses in full
        (e.g. after the feed's headers or rules changed)."""
        await self._db.execute(
            "UPDATE feed_state SET etag = NULL, last_modified = NULL, body_hash = NULL "
            "WHERE url = :url",
            {"url": url},
        )

    async def remove(self, url: str) -> None:
        await self._db.execute("DELETE FROM feed_state WHERE url = :url", {"url": url})

    async def count_in_error(self) -> int:
        return int(await self._db.scalar("SELECT COUNT(*) FROM feed_state WHERE error_streak > 0"))

    async def _ensure(self, url: str, name: str) -> None:
        await self._db.execute(
            "INSERT INTO feed_state (url, name) VALUES (:url, :name) ON CONFLICT (url) DO NOTHING",
            {"url": url, "name": name},
        )
        if name:
            await self._db.execute(
                "UPDATE feed_state SET name = :name WHERE url = :url", {"name": name, "url": url}
            )


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
        lease_holder=row[14],
        lease_until=_dt(row[15]),
    )
