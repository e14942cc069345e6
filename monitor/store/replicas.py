"""The replicas sharing the store: each running `monitor run` registers itself, beats every
few seconds, and leaves when it stops. A replica not seen for a lease time is gone; its feed
leases and alert claims expire with it, and the others take them over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.store.db import Database


@dataclass(frozen=True, slots=True)
class Replica:
    id: str
    host: str
    pid: int
    started_at: datetime
    seen_at: datetime


class ReplicaRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def beat(self, replica_id: str, host: str, pid: int, now: datetime) -> None:
        """Register the replica, or say it is still alive."""
        await self._db.execute(
            "INSERT INTO replicas (id, host, pid, started_at, seen_at) "
            "VALUES (:id, :host, :pid, :now, :now) "
            "ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
            {"id": replica_id, "host": host, "pid": pid, "now": now.timestamp()},
        )

    async def leave(self, replica_id: str) -> None:
        """A replica stopping: forget it and let its feed leases go at once."""
        async with self._db.transaction():
            await self._db.execute(
                "UPDATE feed_state SET lease_holder = NULL, lease_until = NULL "
                "WHERE lease_holder = :id",
                {"id": replica_id},
            )
            await self._db.execute("DELETE FROM replicas WHERE id = :id", {"id": replica_id})

    async def alive(self, now: datetime, lease: float) -> list[Replica]:
        """Replicas seen within `lease` seconds, oldest first."""
        rows = await self._db.execute(
            "SELECT id, host, pid, started_at, seen_at FROM replicas WHERE seen_at >= :since "
            "ORDER BY started_at, id",
            {"since": now.timestamp() - lease},
        )
        return [
            Replica(
                str(r[0]),
                str(r[1]),
                int(r[2]),
                datetime.fromtimestamp(float(r[3]), UTC),
                datetime.fromtimestamp(float(r[4]), UTC),
            )
            for r in rows
        ]

    async def forget_gone(self, now: datetime, keep: float) -> int:
        """Remove replicas not seen for `keep` seconds; returns how many."""
        rows = await self._db.execute(
            "DELETE FROM replicas WHERE seen_at < :before RETURNING id",
            {"before": now.timestamp() - keep},
        )
        return len(rows)
