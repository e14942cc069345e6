"""The alert outbox: every alert owed to a destination, and what became of it.

An alert row is written in the transaction that records its event, so an event is never
recorded without its alerts nor alerted without being recorded. The delivery worker then moves
each row through

    pending --claim_due, mark_inflight--> unknown --mark_sent--> sent
       ^                                     |
       +------------- mark_retry ------------+--mark_failed--> failed --retry_failed--> pending

and, by hand (`monitor alerts reroute|drop`, outbox_admin.py), pending, unknown or failed to
pending at another destination, or to dropped. An alert whose destination is not in the config
stays where it is and waits: a config change never fails it.

Several replicas share one outbox, so a worker claims an alert before it touches it
(`claim_holder`, `claim_until`): `claim_due` and `claim_unknown` take only alerts whose claim is
free, expired or already the caller's, and every step that ends a send (sent, retry, failed)
frees the claim. A claim is the right to send, not a lock: `mark_inflight` starts a send only
while the caller still holds the claim, so a replica whose claim lapsed and was taken over never
sends the alert a second time.

"unknown" means a send was started and its outcome was not recorded: the worker looks such an
alert up at the destination before sending it again, and another replica does so only once the
claim of the one that started the send has expired. Times are stored as epoch seconds so that
both SQLite and PostgreSQL compare them natively.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, cast

from monitor.models import Alert, AlertStatus
from monitor.store.alert_json import decode_alert, encode_alert
from monitor.store.db import Database

_COLUMNS = "id, status, attempts, last_error, created_at, payload"
_ROW = f"{_COLUMNS}, seq, route, role, next_at, remote_ref"
OPEN = ("pending", "unknown", "failed")  # not delivered, not given up


@dataclass(frozen=True, slots=True)
class RemoteRef:
    """Where a delivered alert lives at its destination: a Slack ts, an email Message-ID."""

    destination: str
    id: str
    channel: str | None = None
    # Where a person opens it (a Slack message's permalink): not part of which message it is.
    link: str | None = field(default=None, compare=False)

    def to_json(self) -> str:
        d = {"destination": self.destination, "id": self.id, "channel": self.channel}
        if self.link is not None:
            d["link"] = self.link
        return json.dumps(d)

    @classmethod
    def from_json(cls, text: str) -> RemoteRef:
        d = json.loads(text)
        return cls(d["destination"], d["id"], channel=d.get("channel"), link=d.get("link"))


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """An alert with the bookkeeping the worker and `monitor alerts` need."""

    alert: Alert
    seq: int
    route: int | None
    role: str  # "alert", "summary" for a flood-control summary, "ops" for feed health
    next_at: datetime
    remote_ref: RemoteRef | None


def _ts(value: datetime) -> float:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}; pass timezone-aware times")
    return value.timestamp()


def _dt(value: Any) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(float(value), UTC)


class OutboxRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- writing ----------------------------------------------------------------------------
    async def enqueue(
        self,
        alert: Alert,
        now: datetime,
        *,
        next_at: datetime | None = None,
        route: int | None = None,
        role: str = "alert",
    ) -> bool:
        """Add an alert unless one with its id exists. Returns whether it was added.

        The insert itself skips an existing id, so two replicas planning the same alert at
        once add it once, and neither fails."""
        created = alert.created_at or now
        rows = await self.db.execute(
            "INSERT INTO outbox_alerts (id, event_id, destination, kind, parent, route, role,"
            " status, attempts, next_at, created_at, payload)"
            " VALUES (:id, :event_id, :destination, :kind, :parent, :route, :role, 'pending', 0,"
            " :next_at, :created_at, :payload)"
            " ON CONFLICT (id) DO NOTHING RETURNING seq",
            {
                "id": alert.id,
                "event_id": alert.event_id,
                "destination": alert.destination,
                "kind": alert.kind,
                "parent": alert.parent,
                "route": route,
                "role": role,
                "next_at": _ts(next_at or now),
                "created_at": _ts(created),
                "payload": encode_alert(replace(alert, created_at=created)),
            },
        )
        return bool(rows)

    async def replace_payload(self, alert: Alert, *, was: Alert | None = None) -> bool:
        """Fold newer information into an alert that has not been attempted yet. Returns
        whether it was folded in: not when the alert went out meanwhile, nor, given `was`,
        when its payload is no longer `was` (another replica folded into it first)."""
        same = " AND payload = :was" if was is not None else ""
        rows = await self.db.execute(
            "UPDATE outbox_alerts SET payload = :payload WHERE id = :id AND status = 'pending'"
            f" AND attempts = 0{same} RETURNING id",
            {
                "payload": encode_alert(alert),
                "id": alert.id,
                **({"was": encode_alert(was)} if was is not None else {}),
            },
        )
        return bool(rows)

    async def mark_inflight(
        self,
        alert_id: str,
        now: datetime,
        *,
        holder: str | None = None,
        until: datetime | None = None,
    ) -> OutboxRow | None:
        """Record that a send starts; until mark_sent its outcome is unknown.

        Only a pending alert goes in flight, and, given `holder`, only while that replica
        holds its claim (extended to `until`). Returns the alert as it is now, which is what
        must be sent (a report folded in since it was claimed is in it), or None when it is
        not to be sent by this caller."""
        held = " AND claim_holder = :holder" if holder is not None else ""
        row = await self.db.one(
            "UPDATE outbox_alerts SET status = 'unknown', attempts = attempts + 1, next_at = :now,"
            " claim_until = COALESCE(:until, claim_until)"
            f" WHERE id = :id AND status = 'pending'{held} RETURNING {_ROW}",
            {
                "now": _ts(now),
                "until": _ts(until) if until is not None else None,
                "id": alert_id,
                **({"holder": holder} if holder is not None else {}),
            },
        )
        return _row(row) if row is not None else None

    async def record_ref(self, alert_id: str, ref: RemoteRef) -> None:
        """Remember the delivered message before any later step (an edit) can fail."""
        await self.db.execute(
            "UPDATE outbox_alerts SET remote_ref = :ref WHERE id = :id",
            {"ref": ref.to_json(), "id": alert_id},
        )

    async def mark_sent(self, alert_id: str, ref: RemoteRef | None, now: datetime) -> None:
        """The alert arrived: recorded whoever holds its claim, since it cannot be unsent."""
        await self.db.execute(
            "UPDATE outbox_alerts SET status = 'sent', sent_at = :now, last_error = NULL,"
            " remote_ref = COALESCE(:ref, remote_ref), claim_holder = NULL, claim_until = NULL"
            " WHERE id = :id",
            {"now": _ts(now), "ref": ref.to_json() if ref else None, "id": alert_id},
        )

    async def mark_retry(
        self,
        alert_id: str,
        next_at: datetime,
        error: str,
        *,
        status: AlertStatus = "pending",
        holder: str | None = None,
    ) -> bool:
        """Try again at `next_at` (status "unknown" to look it up first). Given `holder`, only
        while that replica holds the claim. Returns whether the alert was changed."""
        held = " AND claim_holder = :holder" if holder is not None else ""
        rows = await self.db.execute(
            "UPDATE outbox_alerts SET status = :status, next_at = :next_at, last_error = :error,"
            f" claim_holder = NULL, claim_until = NULL WHERE id = :id{held} RETURNING id",
            {
                "status": status,
                "next_at": _ts(next_at),
                "error": error,
                "id": alert_id,
                **({"holder": holder} if holder is not None else {}),
            },
        )
        return bool(rows)

    async def mark_failed(self, alert_id: str, reason: str, *, holder: str | None = None) -> bool:
        """Give up: a person decides (`monitor alerts retry`). Given `holder`, only while that
        replica holds the claim. Returns whether the alert was changed."""
        held = " AND claim_holder = :holder" if holder is not None else ""
        rows = await self.db.execute(
            "UPDATE outbox_alerts SET status = 'failed', last_error = :reason,"
            f" claim_holder = NULL, claim_until = NULL WHERE id = :id{held} RETURNING id",
            {
                "reason": reason,
                "id": alert_id,
                **({"holder": holder} if holder is not None else {}),
            },
        )
        return bool(rows)

    async def retry_failed(self, ids: Sequence[str] | None, now: datetime) -> int:
        """Queue failed alerts again (all of them when `ids` is None). Returns how many."""
        only = " AND id IN :ids" if ids is not None else ""
        if ids is not None and not ids:
            return 0
        rows = await self.db.execute(
            "UPDATE outbox_alerts SET status = 'pending', attempts = 0, next_at = :now,"
            f" claim_holder = NULL, claim_until = NULL WHERE status = 'failed'{only} RETURNING id",
            {"now": _ts(now), **({"ids": list(dict.fromkeys(ids))} if ids is not None else {})},
        )
        return len(rows)

    # -- claims: one replica sends an alert ------------------------------------------------
    async def claim_due(
        self,
        holder: str,
        now: datetime,
        limit: int = 100,
        lease: float = 60.0,
        destinations: Collection[str] | None = None,
    ) -> list[OutboxRow]:
        """Claim the pending alerts to send now for `lease` seconds, oldest first; only to
        `destinations` when given, so alerts waiting for a destination that is not configured
        never crowd out the others.

        An alert is claimed when its claim is free, expired or already `holder`'s. It waits
        while an older alert to the same destination is backing off, has an unknown outcome or
        is claimed by another replica, so each destination receives its alerts in order even
        when several replicas deliver. The claims of all replicas are taken one at a time (an
        advisory lock), and rows are locked `FOR UPDATE SKIP LOCKED` on PostgreSQL: a replica
        never waits on a row another one is writing, it leaves it."""
        t = _ts(now)
        only, names = _only(destinations, "a.destination")
        async with self.db.transaction():
            await self.db.lock("outbox:claims")
            rows = await self.db.execute(
                f"SELECT {_ROW} FROM outbox_alerts a"
                f" WHERE a.status = 'pending' AND a.next_at <= :now{only}"
                " AND (a.claim_holder IS NULL OR a.claim_holder = :me OR a.claim_until < :now)"
                " AND NOT EXISTS ("
                "  SELECT 1 FROM outbox_alerts b WHERE b.destination = a.destination"
                "  AND b.seq < a.seq AND (b.status = 'unknown'"
                "   OR (b.status = 'pending' AND b.attempts > 0 AND b.next_at > :now)"
                "   OR (b.status = 'pending' AND b.claim_holder <> :me AND b.claim_until >= :now)))"
                f" ORDER BY a.seq LIMIT :limit{self._skip_locked}",
                {"now": t, "me": holder, "limit": limit, **names},
            )
            await self._claim([str(r[0]) for r in rows], holder, t + lease)
        return [_row(r) for r in rows]

    async def claim_unknown(
        self,
        holder: str,
        now: datetime,
        lease: float = 60.0,
        destinations: Collection[str] | None = None,
    ) -> list[OutboxRow]:
        """Claim the alerts whose send was interrupted and that are due for a lookup: those
        nobody holds, `holder`'s own (left by its previous run), and those whose holder's
        claim expired (it died: a live holder keeps renewing its claim while it sends)."""
        only, names = _only(destinations, "destination")
        t = _ts(now)
        async with self.db.transaction():
            rows = await self.db.execute(
                f"SELECT {_ROW} FROM outbox_alerts"
                f" WHERE status = 'unknown' AND next_at <= :now{only}"
                " AND (claim_holder IS NULL OR claim_holder = :me OR claim_until < :now)"
                f" ORDER BY seq{self._skip_locked}",
                {"now": t, "me": holder, **names},
            )
            await self._claim([str(r[0]) for r in rows], holder, t + lease)
        return [_row(r) for r in rows]

    async def renew(self, alert_id: str, holder: str, until: datetime) -> bool:
        """Extend `holder`'s claim while its send or lookup takes long. Returns whether it
        still holds the claim."""
        rows = await self.db.execute(
            "UPDATE outbox_alerts SET claim_until = :until"
            " WHERE id = :id AND claim_holder = :me RETURNING id",
            {"until": _ts(until), "id": alert_id, "me": holder},
        )
        return bool(rows)

    async def release(self, holder: str, ids: Sequence[str] | None = None) -> int:
        """Give up `holder`'s claims on pending alerts it will not send now (`ids`, or all of
        them when stopping), so another replica need not wait for them to expire. An alert in
        flight keeps its claim: it may be arriving. Returns how many were released."""
        if ids is not None and not ids:
            return 0
        only = " AND id IN :ids" if ids is not None else ""
        rows = await self.db.execute(
            "UPDATE outbox_alerts SET claim_holder = NULL, claim_until = NULL"
            f" WHERE claim_holder = :me AND status = 'pending'{only} RETURNING id",
            {"me": holder, **({"ids": list(ids)} if ids is not None else {})},
        )
        return len(rows)

    async def claims(self, alert_id: str) -> tuple[str | None, datetime | None]:
        """Who holds the alert's claim and until when (None, None when free)."""
        row = await self.db.one(
            "SELECT claim_holder, claim_until FROM outbox_alerts WHERE id = :id", {"id": alert_id}
        )
        if row is None:
            return None, None
        holder, until = tuple(row)
        return holder, _dt(until)

    async def _claim(self, ids: list[str], holder: str, until: float) -> None:
        if ids:
            await self.db.execute(
                "UPDATE outbox_alerts SET claim_holder = :me, claim_until = :until"
                " WHERE id IN :ids",
                {"me": holder, "until": until, "ids": ids},
            )

    @property
    def _skip_locked(self) -> str:
        # SQLite has no row locks: its transactions already run one at a time.
        return " FOR UPDATE SKIP LOCKED" if self.db.dialect == "postgresql" else ""

    # -- reading ----------------------------------------------------------------------------
    async def due(
        self, now: datetime, limit: int = 100, destinations: Collection[str] | None = None
    ) -> list[OutboxRow]:
        """Pending alerts due now, oldest first, in the order claim_due takes them, without
        claiming them (to look at; the worker claims)."""
        t = _ts(now)
        only, names = _only(destinations, "a.destination")
        rows = await self.db.execute(
            f"SELECT {_ROW} FROM outbox_alerts a"
            f" WHERE a.status = 'pending' AND a.next_at <= :now{only} AND NOT EXISTS ("
            "  SELECT 1 FROM outbox_alerts b WHERE b.destination = a.destination"
            "  AND b.seq < a.seq AND (b.status = 'unknown'"
            "   OR (b.status = 'pending' AND b.attempts > 0 AND b.next_at > :now)))"
            " ORDER BY a.seq LIMIT :limit",
            {"now": t, "limit": limit, **names},
        )
        return [_row(r) for r in rows]

    async def unknown(
        self, now: datetime, destinations: Collection[str] | None = None
    ) -> list[OutboxRow]:
        """Alerts whose last send was interrupted and that are due for a lookup, whoever
        holds them (to look at; the worker claims them with claim_unknown)."""
        only, names = _only(destinations, "destination")
        rows = await self.db.execute(
            f"SELECT {_ROW} FROM outbox_alerts"
            f" WHERE status = 'unknown' AND next_at <= :now{only} ORDER BY seq",
            {"now": _ts(now), **names},
        )
        return [_row(r) for r in rows]

    async def waiting_by_destination(self) -> dict[str, int]:
        """How many alerts each destination still owes (pending or unknown)."""
        rows = await self.db.execute(
            "SELECT destination, COUNT(*) FROM outbox_alerts"
            " WHERE status IN ('pending', 'unknown') GROUP BY destination"
        )
        return {str(d): int(n) for d, n in map(tuple, rows)}

    async def get(self, alert_id: str) -> OutboxRow | None:
        r = await self.db.one(f"SELECT {_ROW} FROM outbox_alerts WHERE id = :id", {"id": alert_id})
        return _row(r) if r else None

    async def status(self, alert_id: str) -> AlertStatus | None:
        r = await self.db.one("SELECT status FROM outbox_alerts WHERE id = :id", {"id": alert_id})
        return cast(AlertStatus, r[0]) if r else None

    async def remote_ref(self, alert_id: str) -> RemoteRef | None:
        r = await self.db.one(
            "SELECT remote_ref FROM outbox_alerts WHERE id = :id", {"id": alert_id}
        )
        return RemoteRef.from_json(r[0]) if r and r[0] else None

    async def for_event(self, event_id: str, destination: str) -> list[OutboxRow]:
        """The alerts of one event to one destination, oldest first (parent lookups)."""
        rows = await self.db.execute(
            f"SELECT {_ROW} FROM outbox_alerts"
            " WHERE event_id = :event AND destination = :destination ORDER BY seq",
            {"event": event_id, "destination": destination},
        )
        return [_row(r) for r in rows]

    async def by_event(self, event_id: str) -> list[OutboxRow]:
        rows = await self.db.execute(
            f"SELECT {_ROW} FROM outbox_alerts WHERE event_id = :event ORDER BY seq",
            {"event": event_id},
        )
        return [_row(r) for r in rows]

    async def by_events(self, event_ids: Sequence[str]) -> list[OutboxRow]:
        """The alerts of these events, oldest first (the console's lists)."""
        if not event_ids:
            return []
        rows = await self.db.execute(
            f"SELECT {_ROW} FROM outbox_alerts WHERE event_id IN :events ORDER BY seq",
            {"events": list(dict.fromkeys(event_ids))},
        )
        return [_row(r) for r in rows]

    async def page(
        self, statuses: Iterable[str], limit: int = 100, offset: int = 0
    ) -> list[OutboxRow]:
        """Alerts in these statuses with their bookkeeping, newest first.

        The page's sequence numbers first, then its rows: sorting whole rows (payloads and
        all) of a large outbox costs hundreds of milliseconds, sorting their numbers a few."""
        seqs = await self.db.execute(
            "SELECT seq FROM outbox_alerts WHERE status IN :wanted"
            " ORDER BY seq DESC LIMIT :limit OFFSET :offset",
            {"wanted": list(statuses), "limit": limit, "offset": offset},
        )
        if not seqs:
            return []
        rows = await self.db.execute(
            f"SELECT {_ROW} FROM outbox_alerts WHERE seq IN :seqs ORDER BY seq DESC",
            {"seqs": [int(r[0]) for r in seqs]},
        )
        return [_row(r) for r in rows]

    async def count_routed(self, route: int, since: datetime) -> tuple[int, datetime | None]:
        """How many events a route alerted since `since`, and the oldest alert's time."""
        r = await self.db.one(
            "SELECT COUNT(DISTINCT event_id), MIN(created_at) FROM outbox_alerts"
            " WHERE route = :route AND role = 'alert' AND kind = 'new' AND created_at > :since",
            {"route": route, "since": _ts(since)},
        )
        if r is None:
            return 0, None
        count, oldest = tuple(r)
        return int(count), _dt(oldest)

    async def open_summary(self, route: int, destination: str) -> OutboxRow | None:
        """The route's flood-control summary for `destination` that still takes lines."""
        r = await self.db.one(
            f"SELECT {_ROW} FROM outbox_alerts"
            " WHERE route = :route AND destination = :destination AND role = 'summary'"
            " AND status = 'pending' AND attempts = 0 ORDER BY seq DESC LIMIT 1",
            {"route": route, "destination": destination},
        )
        return _row(r) if r else None

    async def failed(self, limit: int = 1000) -> list[Alert]:
        return await self.recent(("failed",), limit)

    async def recent(self, statuses: Iterable[str] | None = None, limit: int = 1000) -> list[Alert]:
        wanted = list(statuses or ("pending", "unknown", "sent", "failed"))
        rows = await self.db.execute(
            f"SELECT {_COLUMNS} FROM outbox_alerts WHERE status IN :wanted"
            " ORDER BY seq DESC LIMIT :limit",
            {"wanted": wanted, "limit": limit},
        )
        return [_alert(r) for r in rows]

    async def counts(self) -> dict[str, int]:
        """Alerts by status (for `monitor status` and metrics): the four working statuses
        always, "dropped" when an alert was dropped by hand."""
        out = dict.fromkeys(("pending", "unknown", "sent", "failed"), 0)
        rows = await self.db.execute("SELECT status, COUNT(*) FROM outbox_alerts GROUP BY status")
        for status, n in map(tuple, rows):
            out[str(status)] = int(n)
        return out

    async def set_destination(
        self, row: OutboxRow, destination: str, parent: str | None, now: datetime, note: str
    ) -> bool:
        """Send a not yet delivered alert to another destination, from scratch. A replica
        that had claimed it loses the claim, so it does not send it to the old one. Only while
        its status is still the one in `row`: returns False when it changed (a send started)."""
        if row.alert.status not in OPEN:
            return False
        alert = replace(row.alert, destination=destination, parent=parent)
        rows = await self.db.execute(
            "UPDATE outbox_alerts SET destination = :destination, parent = :parent,"
            " status = 'pending', attempts = 0, next_at = :now, remote_ref = NULL,"
            " last_error = :note, payload = :payload, claim_holder = NULL, claim_until = NULL"
            " WHERE id = :id AND status = :seen RETURNING id",
            {
                "destination": destination,
                "parent": parent,
                "now": _ts(now),
                "note": note,
                "payload": encode_alert(alert),
                "id": alert.id,
                "seen": row.alert.status,
            },
        )
        return bool(rows)

    async def mark_dropped(self, alert_id: str, note: str) -> bool:
        rows = await self.db.execute(
            "UPDATE outbox_alerts SET status = 'dropped', last_error = :note,"
            " claim_holder = NULL, claim_until = NULL"
            " WHERE id = :id AND status IN :open RETURNING id",
            {"note": note, "id": alert_id, "open": list(OPEN)},
        )
        return bool(rows)

    async def children(self, alert_id: str) -> list[OutboxRow]:
        """Follow-ups threaded under an alert, oldest first."""
        rows = await self.db.execute(
            f"SELECT {_ROW} FROM outbox_alerts WHERE parent = :id ORDER BY seq", {"id": alert_id}
        )
        return [_row(r) for r in rows]

    async def owed_to(self, destination: str) -> list[OutboxRow]:
        """Alerts to a destination not delivered (pending, unknown or failed), oldest first."""
        rows = await self.db.execute(
            f"SELECT {_ROW} FROM outbox_alerts"
            " WHERE destination = :destination AND status IN :open ORDER BY seq",
            {"destination": destination, "open": list(OPEN)},
        )
        return [_row(r) for r in rows]


def _row(r: Sequence[Any]) -> OutboxRow:
    return OutboxRow(
        alert=_alert(r),
        seq=int(r[6]),
        route=None if r[7] is None else int(r[7]),
        role=str(r[8]),
        next_at=datetime.fromtimestamp(float(r[9]), UTC),
        remote_ref=RemoteRef.from_json(r[10]) if r[10] else None,
    )


def _only(destinations: Collection[str] | None, column: str) -> tuple[str, dict[str, Any]]:
    """An `AND column IN :destinations` clause and its parameter; nothing when not
    restricted."""
    if destinations is None:
        return "", {}
    names = sorted(destinations)
    if not names:
        return " AND 1 = 0", {}
    return f" AND {column} IN :destinations", {"destinations": names}


def _alert(r: Sequence[Any]) -> Alert:
    alert = decode_alert(str(r[5]))
    return replace(
        alert,
        status=cast(AlertStatus, r[1]),
        attempts=int(r[2]),
        last_error=r[3],
        created_at=_dt(r[4]),
    )
