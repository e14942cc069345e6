"""The store: feed state, seen items, events, the alert outbox and the replicas, in SQLite or
PostgreSQL, behind one async interface (monitor.store.interface).

Each repository lives in its own module; the schema is Alembic's (monitor.store.migrations),
brought up to date by `open_store`. Only this package talks to the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from monitor.errors import StoreError
from monitor.store.db import Database, connect, redact_url, sqlite_file, urgent
from monitor.store.events import EventRepo
from monitor.store.faults import with_fix
from monitor.store.feeds import FeedStateRepo
from monitor.store.interface import EventStore, FeedStore, ItemStore, OutboxStore, ReplicaStore
from monitor.store.items import ItemRepo
from monitor.store.meta import StoreIdentity, ensure_identity
from monitor.store.migrate import upgrade
from monitor.store.outbox import OutboxRepo
from monitor.store.replicas import ReplicaRepo

__all__ = ["Database", "Store", "open_store", "redact_url", "urgent"]


class Store:
    def __init__(self, db: Database, identity: StoreIdentity | None = None) -> None:
        self.db = db
        self.identity = identity
        # The SQLite file, absolute, so that its health check does not depend on the cwd.
        file = sqlite_file(db.where) if db.dialect == "sqlite" else None
        self.file: Path | None = file.absolute() if file is not None else None
        self.feeds: FeedStore = FeedStateRepo(db)
        self.items: ItemStore = ItemRepo(db)
        self.events: EventStore = EventRepo(db)
        self.outbox: OutboxStore = OutboxRepo(db)
        self.replicas: ReplicaStore = ReplicaRepo(db)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Every repository's statements inside commit together (the current task's)."""
        async with self.db.transaction():
            yield

    async def lock(self, key: str) -> None:
        """Serialise decisions under `key` across replicas until the transaction ends."""
        await self.db.lock(key)

    async def ping(self) -> bool:
        try:
            await self.db.execute("SELECT 1")
        except Exception:
            return False
        return True

    @property
    def closed(self) -> bool:
        return self.db.closed

    async def close(self) -> None:
        await self.db.close()


async def open_store(url: str, *, now: datetime | None = None) -> Store:
    """Connect, bring the schema up to date and give a new store its identity."""
    return await migrate(await connect(url), now)


async def migrate(db: Database, now: datetime | None = None) -> Store:
    """Bring the schema of an open database up to date; closes it when that fails."""
    try:
        await upgrade(db)
        identity = await ensure_identity(db, now or datetime.now(UTC))
    except StoreError as exc:
        await db.close()
        raise with_fix(exc, db.where) from exc.__cause__
    return Store(db, identity)
