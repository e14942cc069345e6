"""The store: feed state, seen items, events and the alert outbox, in SQLite or PostgreSQL.

Each repository lives in its own module and declares its tables in `SCHEMA`; `open_store`
applies them all. Only this package talks to the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from monitor.store.db import Database, connect, redact_url
from monitor.store.events import SCHEMA as EVENTS_SCHEMA
from monitor.store.events import EventRepo
from monitor.store.feeds import SCHEMA as FEEDS_SCHEMA
from monitor.store.feeds import FeedStateRepo
from monitor.store.items import SCHEMA as ITEMS_SCHEMA
from monitor.store.items import ItemRepo
from monitor.store.outbox import SCHEMA as OUTBOX_SCHEMA
from monitor.store.outbox import OutboxRepo

__all__ = ["Database", "Store", "open_store", "redact_url"]


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db
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

    def close(self) -> None:
        self.db.close()


def open_store(url: str) -> Store:
    """Connect and bring the schema up to date."""
    db = connect(url)
    db.migrate([*FEEDS_SCHEMA, *ITEMS_SCHEMA, *EVENTS_SCHEMA, *OUTBOX_SCHEMA])
    return Store(db)
