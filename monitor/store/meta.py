"""The store's own identity: a random id and the time it was created, written once.

A store that was deleted and created again, or swapped for another, has a different id; the
marker beside the config (`monitor.store.marker`) remembers which one the config used. The same
row carries the time of the last health probe, a write that proves the store still takes writes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.store.db import Database

SCHEMA: list[tuple[str, str]] = [
    (
        "meta-1",
        """CREATE TABLE store_meta (
            id TEXT PRIMARY KEY,
            created_at DOUBLE PRECISION NOT NULL,
            probed_at DOUBLE PRECISION
        )""",
    ),
]


@dataclass(frozen=True, slots=True)
class StoreIdentity:
    id: str
    created_at: datetime

    def describe(self) -> str:
        return f"created {self.created_at:%Y-%m-%d %H:%M} UTC, id {self.id}"


def read_identity(db: Database) -> StoreIdentity | None:
    """The store's identity, or None for a store without one (empty, or not migrated yet).
    Reads only: an empty database stays empty."""
    if db.dialect == "sqlite":
        found = db.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'store_meta'")
    else:
        found = db.one("SELECT to_regclass('store_meta')")
        found = found if found and found[0] is not None else None
    if not found:
        return None
    row = db.one("SELECT id, created_at FROM store_meta ORDER BY created_at LIMIT 1")
    if row is None:
        return None
    return StoreIdentity(str(row[0]), datetime.fromtimestamp(float(row[1]), UTC))


def ensure_identity(db: Database, now: datetime) -> StoreIdentity:
    """The store's identity, created at `now` when it has none (after migrating)."""
    found = read_identity(db)
    if found is not None:
        return found
    db.execute(
        "INSERT INTO store_meta (id, created_at) VALUES (?, ?)",
        (secrets.token_hex(8), now.timestamp()),
    )
    created = read_identity(db)
    assert created is not None
    return created


def probe(db: Database, now: datetime) -> None:
    """A small real write: raises StoreError when the store cannot take writes."""
    db.execute("UPDATE store_meta SET probed_at = ?", (now.timestamp(),))
