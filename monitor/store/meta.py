"""The store's own identity: a random id and the time it was created, written once.

A store that was deleted and created again, or swapped for another, has a different id; the
marker beside the config (`monitor.store.marker`) remembers which one the config used. The same
row carries the time of the last health probe, a write that proves the store still takes writes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from monitor.errors import StoreError
from monitor.store.db import Database


@dataclass(frozen=True, slots=True)
class StoreIdentity:
    id: str
    created_at: datetime

    def describe(self) -> str:
        return f"created {self.created_at:%Y-%m-%d %H:%M} UTC, id {self.id}"


_FIRST = "SELECT id, created_at FROM store_meta ORDER BY created_at, id LIMIT 1"
IDENTITY_LOCK = "monitor:store-identity"


async def read_identity(db: Database) -> StoreIdentity | None:
    """The store's identity, or None for a store without one (empty, or not migrated yet).
    Reads only: an empty database stays empty."""
    if not await has_table(db, "store_meta"):
        return None
    row = await db.one(_FIRST)
    if row is None:
        return None
    return StoreIdentity(str(row[0]), datetime.fromtimestamp(float(row[1]), UTC))


async def ensure_identity(db: Database, now: datetime) -> StoreIdentity:
    """The store's identity, created at `now` when it has none (after migrating). Replicas
    starting together agree on one: the first row written is the identity."""
    found = await read_identity(db)
    if found is not None:
        return found
    # One writer at a time (SQLite's BEGIN IMMEDIATE; an advisory lock on PostgreSQL), and only
    # into an empty table: a replica that lost the race finds the winner's row.
    async with db.transaction():
        await db.lock(IDENTITY_LOCK)
        if await db.one(_FIRST) is None:
            await db.execute(
                "INSERT INTO store_meta (id, created_at) VALUES (:id, :at)",
                {"id": secrets.token_hex(8), "at": now.timestamp()},
            )
    created = await read_identity(db)
    assert created is not None
    return created


async def probe(db: Database, now: datetime) -> None:
    """A small real write: raises StoreError when the store cannot take writes."""
    await db.execute("UPDATE store_meta SET probed_at = :at", {"at": now.timestamp()})


async def has_table(db: Database, name: str) -> bool:
    """Whether the table exists, without creating anything."""

    def look(conn: Connection) -> bool:
        return inspect(conn).has_table(name)

    try:
        async with db.engine.connect() as conn:
            return await conn.run_sync(look)
    except SQLAlchemyError as exc:
        raise StoreError(f"database {db.where}: {getattr(exc, 'orig', None) or exc}") from exc
