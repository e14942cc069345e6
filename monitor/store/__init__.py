"""The store: feed state, seen items, events and the alert outbox, in SQLite or PostgreSQL.

Each repository lives in its own module and declares its tables in `SCHEMA`; `open_store`
applies them all. Only this package talks to the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from monitor.errors import StoreError
from monitor.store.db import Database, connect, redact_url, sqlite_file
from monitor.store.events import SCHEMA as EVENTS_SCHEMA
from monitor.store.events import EventRepo
from monitor.store.faults import with_fix
from monitor.store.feeds import SCHEMA as FEEDS_SCHEMA
from monitor.store.feeds import FeedStateRepo
from monitor.store.items import SCHEMA as ITEMS_SCHEMA
from monitor.store.items import ItemRepo
from monitor.store.meta import SCHEMA as META_SCHEMA
from monitor.store.meta import StoreIdentity, ensure_identity
from monitor.store.outbox import SCHEMA as OUTBOX_SCHEMA
from monitor.store.outbox import OutboxRepo

__all__ = ["Database", "Store", "open_store", "redact_url"]


SCHEMAS = [*FEEDS_SCHEMA, *ITEMS_SCHEMA, *EVENTS_SCHEMA, *OUTBOX_SCHEMA, *META_SCHEMA]


class Store:
    def __init__(self, db: Database, identity: StoreIdentity | None = None) -> None:
        self.db = db
        self.identity = identity
        # The SQLite file, absolute, so that its health check does not depend on the cwd.
        file = sqlite_file(db.where) if db.dialect == "sqlite" else None
        self.file: Path | None = file.absolute() if file is not None else None
        self.feeds = FeedStateRepo(db)
        self.items = ItemRepo(db)
        self.events = EventRepo(db)
        self.outbox = OutboxRepo(db)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.db.transaction():
            yield

    def ping(self) -> bool:
        try:
            self.db.execute("SELECT 1")
        except Exception:
            return False
        return True

    @property
    def closed(self) -> bool:
        return self.db.closed

    def close(self) -> None:
        self.db.close()


def open_store(url: str, *, now: datetime | None = None) -> Store:
    """Connect, bring the schema up to date and give a new store its identity."""
    return migrate(connect(url), now)


def migrate(db: Database, now: datetime | None = None) -> Store:
    """Bring the schema of an open database up to date; closes it when that fails."""
    try:
        db.migrate(SCHEMAS)
        identity = ensure_identity(db, now or datetime.now(UTC))
    except StoreError as exc:
        db.close()
        raise with_fix(exc, db.where) from exc.__cause__
    return Store(db, identity)
