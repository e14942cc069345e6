"""The store's interface: one Protocol per repository, all async.

`monitor.store.Store` holds one of each; the SQL implementations beside this module serve both
backends (SQLite and PostgreSQL, through SQLAlchemy), and the contract suite in tests/store runs
every method on both. Stages that decide take what these return and never hold a connection.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from monitor.models import Alert, AlertStatus
    from monitor.store.db import Database
    from monitor.store.events import EventRow, Parked, ReportDetail, ReportRow
    from monitor.store.feeds import FeedState
    from monitor.store.items import Candidate, ItemKey, SeenItem, TextRecord
    from monitor.store.outbox import OutboxRow, RemoteRef
    from monitor.store.replicas import Replica


class FeedStore(Protocol):
    """Per-feed polling state and the leases that give each feed to one replica at a time."""

    async def get(self, url: str) -> FeedState | None: ...

    async def all(self) -> list[FeedState]: ...

    async def due(self, now: datetime) -> list[str]: ...

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
    ) -> FeedState | None: ...

    async def renew_leases(self, holder: str, now: datetime, lease: float) -> None: ...

    async def held_by(self, holder: str) -> list[str]: ...

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
    ) -> FeedState: ...

    async def record_failure(
        self,
        url: str,
        *,
        now: datetime,
        outcome: str,
        error: str,
        next_poll: datetime | None = None,
        name: str = "",
    ) -> FeedState: ...

    async def set_next_poll(self, url: str, when: datetime) -> None: ...

    async def set_health_alerted(self, url: str, alerted: bool) -> None: ...

    async def forget_validators(self, url: str) -> None: ...

    async def remove(self, url: str) -> None: ...

    async def count_in_error(self) -> int: ...


class ItemStore(Protocol):
    """Items already seen and the lookup keys of their texts."""

    async def seen(
        self, feed: str, guid: str | None, url: str | None, guid_global: bool
    ) -> bool: ...

    async def seen_many(self, keys: Sequence[ItemKey]) -> list[bool]: ...

    async def add(
        self,
        item_id: str,
        feed: str,
        guid: str | None,
        url: str | None,
        text: TextRecord | None,
        seen_at: int,
    ) -> None: ...

    async def add_seen(self, items: Sequence[SeenItem]) -> None: ...

    async def with_content_hash(self, content_hash: str, exclude: str) -> str | None: ...

    async def candidates(self, keys: Sequence[int], exclude: str) -> list[Candidate]: ...

    async def delete_older(self, cutoff: int) -> int: ...

    async def activity(self, since: int) -> dict[str, tuple[int, int]]: ...

    async def count(self) -> int: ...


class EventStore(Protocol):
    """Events, their reports, and background reports parked for an event opened later."""

    async def get(self, event_id: str) -> EventRow | None: ...

    async def recent(self, limit: int = 20) -> list[EventRow]: ...

    async def exists(self, event_id: str) -> bool: ...

    async def in_window(
        self, event_type: str, actor: str, first: date, last: date
    ) -> list[EventRow]: ...

    async def latest_of_actor(self, event_type: str, actor: str, limit: int) -> list[EventRow]: ...

    async def of_articles(
        self, event_type: str, article_ids: Sequence[str]
    ) -> dict[str, EventRow]: ...

    async def last_stamp(self) -> int: ...

    async def create(self, event: EventRow) -> None: ...

    async def update(self, event: EventRow) -> None: ...

    async def add_report(
        self, event_id: str, article_id: str, outlet: str, date_certain: bool, at: int
    ) -> None: ...

    async def park(
        self, article_id: str, event_type: str, actor: str, day: date, outlet: str, at: int
    ) -> None: ...

    async def parked(
        self, event_type: str, actor: str, first: date, last: date
    ) -> list[Parked]: ...

    async def unpark(self, event_type: str, article_ids: Sequence[str]) -> None: ...

    async def reports(self, event_id: str) -> list[str]: ...

    async def newest(self, limit: int = 50, offset: int = 0) -> list[EventRow]: ...

    async def count(self) -> int: ...

    async def report_rows(self, event_ids: Sequence[str]) -> list[ReportRow]: ...

    async def add_detail(
        self, article_id: str, event_type: str, detail: ReportDetail, at: int
    ) -> None: ...

    async def move_reports(
        self, article_ids: Sequence[str], source: str, target: EventRow, at: int
    ) -> list[str]: ...

    async def delete_older(self, cutoff: int) -> int: ...


class OutboxStore(Protocol):
    """Every alert owed to a destination, the claims of the replicas sending them, and what
    became of each."""

    # The database its transactions and locks belong to: routing and the admin commands
    # decide and write inside one transaction.
    db: Database

    async def enqueue(
        self,
        alert: Alert,
        now: datetime,
        *,
        next_at: datetime | None = None,
        route: int | None = None,
        role: str = "alert",
    ) -> bool: ...

    async def replace_payload(self, alert: Alert, *, was: Alert | None = None) -> bool: ...

    async def mark_inflight(
        self,
        alert_id: str,
        now: datetime,
        *,
        holder: str | None = None,
        until: datetime | None = None,
    ) -> OutboxRow | None: ...

    async def record_ref(self, alert_id: str, ref: RemoteRef) -> None: ...

    async def mark_sent(self, alert_id: str, ref: RemoteRef | None, now: datetime) -> None: ...

    async def mark_retry(
        self,
        alert_id: str,
        next_at: datetime,
        error: str,
        *,
        status: AlertStatus = "pending",
        holder: str | None = None,
    ) -> bool: ...

    async def mark_failed(
        self, alert_id: str, reason: str, *, holder: str | None = None
    ) -> bool: ...

    async def retry_failed(self, ids: Sequence[str] | None, now: datetime) -> int: ...

    async def claim_due(
        self,
        holder: str,
        now: datetime,
        limit: int = 100,
        lease: float = 60.0,
        destinations: Collection[str] | None = None,
    ) -> list[OutboxRow]: ...

    async def claim_unknown(
        self,
        holder: str,
        now: datetime,
        lease: float = 60.0,
        destinations: Collection[str] | None = None,
    ) -> list[OutboxRow]: ...

    async def renew(self, alert_id: str, holder: str, until: datetime) -> bool: ...

    async def release(self, holder: str, ids: Sequence[str] | None = None) -> int: ...

    async def claims(self, alert_id: str) -> tuple[str | None, datetime | None]: ...

    async def due(
        self, now: datetime, limit: int = 100, destinations: Collection[str] | None = None
    ) -> list[OutboxRow]: ...

    async def unknown(
        self, now: datetime, destinations: Collection[str] | None = None
    ) -> list[OutboxRow]: ...

    async def waiting_by_destination(self) -> dict[str, int]: ...

    async def get(self, alert_id: str) -> OutboxRow | None: ...

    async def status(self, alert_id: str) -> AlertStatus | None: ...

    async def remote_ref(self, alert_id: str) -> RemoteRef | None: ...

    async def for_event(self, event_id: str, destination: str) -> list[OutboxRow]: ...

    async def by_event(self, event_id: str) -> list[OutboxRow]: ...

    async def by_events(self, event_ids: Sequence[str]) -> list[OutboxRow]: ...

    async def page(
        self, statuses: Iterable[str], limit: int = 100, offset: int = 0
    ) -> list[OutboxRow]: ...

    async def count_routed(self, route: int, since: datetime) -> tuple[int, datetime | None]: ...

    async def open_summary(self, route: int, destination: str) -> OutboxRow | None: ...

    async def failed(self, limit: int = 1000) -> list[Alert]: ...

    async def recent(
        self, statuses: Iterable[str] | None = None, limit: int = 1000
    ) -> list[Alert]: ...

    async def counts(self) -> dict[str, int]: ...

    async def set_destination(
        self, row: OutboxRow, destination: str, parent: str | None, now: datetime, note: str
    ) -> bool: ...

    async def mark_dropped(self, alert_id: str, note: str) -> bool: ...

    async def children(self, alert_id: str) -> list[OutboxRow]: ...

    async def owed_to(self, destination: str) -> list[OutboxRow]: ...


class ReplicaStore(Protocol):
    """The replicas sharing the store and their heartbeats."""

    async def beat(self, replica_id: str, host: str, pid: int, now: datetime) -> None: ...

    async def leave(self, replica_id: str) -> None: ...

    async def alive(self, now: datetime, lease: float) -> list[Replica]: ...

    async def forget_gone(self, now: datetime, keep: float) -> int: ...
