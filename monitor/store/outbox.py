"""The alert outbox: every alert owed to a destination, and what became of it.

An alert row is written in the transaction that records its event, so an event is never
recorded without its alerts nor alerted without being recorded. The delivery worker then moves
each row through

    pending --mark_inflight--> unknown --mark_sent--> sent
       ^                          |
       +------ mark_retry --------+--mark_failed--> failed --retry_failed--> pending

and, by hand (`monitor alerts reroute|drop`, outbox_admin.py), pending, unknown or failed to
pending at another destination, or to dropped. An alert whose destination is not in the config
stays where it is and waits: a config change never fails it.

"unknown" means a send was started and its outcome was not recorded: after a crash the worker
looks such an alert up at the destination before sending it again. Times are stored as epoch
seconds so that both SQLite and PostgreSQL compare them natively.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import cast

from monitor.models import Alert, AlertStatus
from monitor.store.alert_json import decode_alert, encode_alert
from monitor.store.db import Database, Row

SCHEMA: list[tuple[str, str]] = [
    (
        "outbox-1",
        """CREATE TABLE outbox_alerts (
            seq {serial},
            id TEXT NOT NULL UNIQUE,
            event_id TEXT NOT NULL,
            destination TEXT NOT NULL,
            kind TEXT NOT NULL,
            parent TEXT,
            route BIGINT,
            role TEXT NOT NULL DEFAULT 'alert',
            status TEXT NOT NULL DEFAULT 'pending',
            attempts BIGINT NOT NULL DEFAULT 0,
            next_at DOUBLE PRECISION NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            sent_at DOUBLE PRECISION,
            remote_ref TEXT,
            last_error TEXT,
            payload TEXT NOT NULL
        )""",
    ),
    ("outbox-2", "CREATE INDEX outbox_alerts_due ON outbox_alerts (status, next_at)"),
    ("outbox-3", "CREATE INDEX outbox_alerts_event ON outbox_alerts (event_id, destination)"),
]

_COLUMNS = "id, status, attempts, last_error, created_at, payload"


@dataclass(frozen=True, slots=True)
class RemoteRef:
    """Where a delivered alert lives at its destination: a Slack ts, an email Message-ID."""

    destination: str
    id: str
    channel: str | None = None

    def to_json(self) -> str:
        return json.dumps({"destination": self.destination, "id": self.id, "channel": self.channel})

    @classmethod
    def from_json(cls, text: str) -> RemoteRef:
        d = json.loads(text)
        return cls(destination=d["destination"], id=d["id"], channel=d.get("channel"))


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """An alert with the bookkeeping the worker and `monitor alerts` need."""

    alert: Alert
    seq: int
    route: int | None
    role: str  # "alert", or "summary" for a flood-control summary
    next_at: datetime
    remote_ref: RemoteRef | None


def _ts(value: datetime) -> float:
    return value.timestamp()


def _dt(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


class OutboxRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- writing ----------------------------------------------------------------------------
    def enqueue(
        self,
        alert: Alert,
        now: datetime,
        *,
        next_at: datetime | None = None,
        route: int | None = None,
        role: str = "alert",
    ) -> bool:
        """Add an alert unless one with its id exists. Returns whether it was added."""
        if self.db.one("SELECT 1 FROM outbox_alerts WHERE id = ?", (alert.id,)):
            return False
        created = alert.created_at or now
        self.db.execute(
            "INSERT INTO outbox_alerts (id, event_id, destination, kind, parent, route, role,"
            " status, attempts, next_at, created_at, payload)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
            (
                alert.id,
                alert.event_id,
                alert.destination,
                alert.kind,
                alert.parent,
                route,
                role,
                _ts(next_at or now),
                _ts(created),
                encode_alert(replace(alert, created_at=created)),
            ),
        )
        return True

    def replace_payload(self, alert: Alert) -> None:
        """Fold newer information into an alert that has not been attempted yet."""
        self.db.execute(
            "UPDATE outbox_alerts SET payload = ? WHERE id = ? AND status = 'pending'"
            " AND attempts = 0",
            (encode_alert(alert), alert.id),
        )

    def mark_inflight(self, alert_id: str, now: datetime) -> None:
        """Record that a send starts; until mark_sent its outcome is unknown."""
        self.db.execute(
            "UPDATE outbox_alerts SET status = 'unknown', attempts = attempts + 1, next_at = ?"
            " WHERE id = ?",
            (_ts(now), alert_id),
        )

    def record_ref(self, alert_id: str, ref: RemoteRef) -> None:
        """Remember the delivered message before any later step (an edit) can fail."""
        self.db.execute(
            "UPDATE outbox_alerts SET remote_ref = ? WHERE id = ?", (ref.to_json(), alert_id)
        )

    def mark_sent(self, alert_id: str, ref: RemoteRef | None, now: datetime) -> None:
        self.db.execute(
            "UPDATE outbox_alerts SET status = 'sent', sent_at = ?, last_error = NULL,"
            " remote_ref = COALESCE(?, remote_ref) WHERE id = ?",
            (_ts(now), ref.to_json() if ref else None, alert_id),
        )

    def mark_retry(
        self, alert_id: str, next_at: datetime, error: str, *, status: AlertStatus = "pending"
    ) -> None:
        self.db.execute(
            "UPDATE outbox_alerts SET status = ?, next_at = ?, last_error = ? WHERE id = ?",
            (status, _ts(next_at), error, alert_id),
        )

    def mark_failed(self, alert_id: str, reason: str) -> None:
        self.db.execute(
            "UPDATE outbox_alerts SET status = 'failed', last_error = ? WHERE id = ?",
            (reason, alert_id),
        )

    def retry_failed(self, ids: Sequence[str] | None, now: datetime) -> int:
        """Queue failed alerts again (all of them when `ids` is None). Returns how many."""
        if ids is None:
            found = [
                r[0]
                for r in self.db.execute("SELECT id FROM outbox_alerts WHERE status = 'failed'")
            ]
        else:
            found = [i for i in ids if self.status(i) == "failed"]
        with self.db.transaction():
            for alert_id in found:
                self.db.execute(
                    "UPDATE outbox_alerts SET status = 'pending', attempts = 0, next_at = ?"
                    " WHERE id = ? AND status = 'failed'",
                    (_ts(now), alert_id),
                )
        return len(found)

    # -- reading ----------------------------------------------------------------------------
    def due(
        self, now: datetime, limit: int = 100, destinations: Collection[str] | None = None
    ) -> list[OutboxRow]:
        """Pending alerts to send now, oldest first; only to `destinations` when given, so
        alerts waiting for a destination that is not configured never crowd out the others.

        An alert waits while an older alert to the same destination is backing off or has an
        unknown outcome, so each destination receives its alerts in order.
        """
        t = _ts(now)
        only, names = _only(destinations, "a.destination")
        rows = self.db.execute(
            f"SELECT {_COLUMNS}, seq, route, role, next_at, remote_ref FROM outbox_alerts a"
            f" WHERE a.status = 'pending' AND a.next_at <= ?{only} AND NOT EXISTS ("
            "  SELECT 1 FROM outbox_alerts b WHERE b.destination = a.destination"
            "  AND b.seq < a.seq AND (b.status = 'unknown'"
            "   OR (b.status = 'pending' AND b.attempts > 0 AND b.next_at > ?)))"
            " ORDER BY a.seq LIMIT ?",
            (t, *names, t, limit),
        )
        return [self._row(r) for r in rows]

    def unknown(
        self, now: datetime, destinations: Collection[str] | None = None
    ) -> list[OutboxRow]:
        """Alerts whose last send was interrupted and that are due for a lookup."""
        only, names = _only(destinations, "destination")
        rows = self.db.execute(
            f"SELECT {_COLUMNS}, seq, route, role, next_at, remote_ref FROM outbox_alerts"
            f" WHERE status = 'unknown' AND next_at <= ?{only} ORDER BY seq",
            (_ts(now), *names),
        )
        return [self._row(r) for r in rows]

    def waiting_by_destination(self) -> dict[str, int]:
        """How many alerts each destination still owes (pending or unknown)."""
        rows = self.db.execute(
            "SELECT destination, COUNT(*) FROM outbox_alerts"
            " WHERE status IN ('pending', 'unknown') GROUP BY destination"
        )
        return {str(d): int(n) for d, n in rows}

    def get(self, alert_id: str) -> OutboxRow | None:
        r = self.db.one(
            f"SELECT {_COLUMNS}, seq, route, role, next_at, remote_ref FROM outbox_alerts"
            " WHERE id = ?",
            (alert_id,),
        )
        return self._row(r) if r else None

    def status(self, alert_id: str) -> AlertStatus | None:
        r = self.db.one("SELECT status FROM outbox_alerts WHERE id = ?", (alert_id,))
        return cast(AlertStatus, r[0]) if r else None

    def remote_ref(self, alert_id: str) -> RemoteRef | None:
        r = self.db.one("SELECT remote_ref FROM outbox_alerts WHERE id = ?", (alert_id,))
        return RemoteRef.from_json(r[0]) if r and r[0] else None

    def for_event(self, event_id: str, destination: str) -> list[OutboxRow]:
        """The alerts of one event to one destination, oldest first (parent lookups)."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS}, seq, route, role, next_at, remote_ref FROM outbox_alerts"
            " WHERE event_id = ? AND destination = ? ORDER BY seq",
            (event_id, destination),
        )
        return [self._row(r) for r in rows]

    def by_event(self, event_id: str) -> list[OutboxRow]:
        rows = self.db.execute(
            f"SELECT {_COLUMNS}, seq, route, role, next_at, remote_ref FROM outbox_alerts"
            " WHERE event_id = ? ORDER BY seq",
            (event_id,),
        )
        return [self._row(r) for r in rows]

    def count_routed(self, route: int, since: datetime) -> tuple[int, datetime | None]:
        """How many alerts a route produced since `since`, and the oldest one's time."""
        r = self.db.one(
            "SELECT COUNT(DISTINCT event_id), MIN(created_at) FROM outbox_alerts"
            " WHERE route = ? AND role = 'alert' AND kind = 'new' AND created_at > ?",
            (route, _ts(since)),
        )
        return (int(r[0]), _dt(r[1])) if r else (0, None)

    def open_summary(self, route: int, destination: str) -> OutboxRow | None:
        r = self.db.one(
            f"SELECT {_COLUMNS}, seq, route, role, next_at, remote_ref FROM outbox_alerts"
            " WHERE route = ? AND destination = ? AND role = 'summary' AND status = 'pending'"
            " AND attempts = 0 ORDER BY seq DESC LIMIT 1",
            (route, destination),
        )
        return self._row(r) if r else None

    def failed(self, limit: int = 1000) -> list[Alert]:
        return self.recent(("failed",), limit)

    def recent(self, statuses: Iterable[str] | None = None, limit: int = 1000) -> list[Alert]:
        wanted = tuple(statuses or ("pending", "unknown", "sent", "failed"))
        marks = ", ".join("?" for _ in wanted)
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM outbox_alerts WHERE status IN ({marks})"
            " ORDER BY seq DESC LIMIT ?",
            (*wanted, limit),
        )
        return [_alert(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """Alerts by status (for `monitor status` and metrics): the four working statuses
        always, "dropped" when an alert was dropped by hand."""
        out = dict.fromkeys(("pending", "unknown", "sent", "failed"), 0)
        for status, n in self.db.execute(
            "SELECT status, COUNT(*) FROM outbox_alerts GROUP BY status"
        ):
            out[str(status)] = int(n)
        return out

    def set_destination(
        self, row: OutboxRow, destination: str, parent: str | None, now: datetime, note: str
    ) -> None:
        """Send a not yet delivered alert to another destination, from scratch."""
        alert = replace(row.alert, destination=destination, parent=parent)
        self.db.execute(
            "UPDATE outbox_alerts SET destination = ?, parent = ?, status = 'pending',"
            " attempts = 0, next_at = ?, remote_ref = NULL, last_error = ?, payload = ?"
            " WHERE id = ? AND status IN ('pending', 'unknown', 'failed')",
            (destination, parent, _ts(now), note, encode_alert(alert), alert.id),
        )

    def mark_dropped(self, alert_id: str, note: str) -> None:
        self.db.execute(
            "UPDATE outbox_alerts SET status = 'dropped', last_error = ? WHERE id = ?"
            " AND status IN ('pending', 'unknown', 'failed')",
            (note, alert_id),
        )

    def children(self, alert_id: str) -> list[OutboxRow]:
        """Follow-ups threaded under an alert, oldest first."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS}, seq, route, role, next_at, remote_ref FROM outbox_alerts"
            " WHERE parent = ? ORDER BY seq",
            (alert_id,),
        )
        return [self._row(r) for r in rows]

    def owed_to(self, destination: str) -> list[OutboxRow]:
        """Alerts to a destination not delivered (pending, unknown or failed), oldest first."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS}, seq, route, role, next_at, remote_ref FROM outbox_alerts"
            " WHERE destination = ? AND status IN ('pending', 'unknown', 'failed') ORDER BY seq",
            (destination,),
        )
        return [self._row(r) for r in rows]

    def _row(self, r: Row) -> OutboxRow:
        return OutboxRow(
            alert=_alert(r[:6]),
            seq=int(r[6]),
            route=None if r[7] is None else int(r[7]),
            role=str(r[8]),
            next_at=datetime.fromtimestamp(float(r[9]), UTC),
            remote_ref=RemoteRef.from_json(r[10]) if r[10] else None,
        )


def _only(destinations: Collection[str] | None, column: str) -> tuple[str, tuple[str, ...]]:
    """An `AND column IN (...)` clause and its parameters; nothing when not restricted."""
    if destinations is None:
        return "", ()
    names = tuple(sorted(destinations))
    if not names:
        return " AND 1 = 0", ()
    return f" AND {column} IN ({', '.join('?' for _ in names)})", names


def _alert(r: Row) -> Alert:
    alert = decode_alert(str(r[5]))
    return replace(
        alert,
        status=cast(AlertStatus, r[1]),
        attempts=int(r[2]),
        last_error=r[3],
        created_at=_dt(float(r[4])),
    )
