"""Items already seen: their GUID, canonical URL and text fingerprints, for deduplication.

    dedup_items      one row per feed entry or article; `seen_at` drives expiry
    dedup_item_keys  lookup keys of an item's text (LSH bands, sentence hashes) -> item

A key shared by more than `KEY_POSTINGS` items is boilerplate, not evidence, so it stops being
recorded; that bounds every lookup whatever the store holds. Timestamps are epoch seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from monitor.store.db import Database, Row

KEY_POSTINGS = 32  # items recorded per lookup key
MAX_CANDIDATES = 64  # items checked per lookup, those sharing most keys first

SCHEMA: list[tuple[str, str]] = [
    (
        "dedup-items-1",
        """CREATE TABLE dedup_items (
            id TEXT PRIMARY KEY,
            feed TEXT NOT NULL,
            guid TEXT,
            url TEXT,
            content_hash TEXT,
            shingles BIGINT NOT NULL DEFAULT 0,
            sketch {blob},
            seen_at BIGINT NOT NULL
        )""",
    ),
    ("dedup-items-2", "CREATE INDEX dedup_items_guid ON dedup_items (guid)"),
    ("dedup-items-3", "CREATE INDEX dedup_items_url ON dedup_items (url)"),
    ("dedup-items-4", "CREATE INDEX dedup_items_hash ON dedup_items (content_hash)"),
    ("dedup-items-5", "CREATE INDEX dedup_items_seen ON dedup_items (seen_at)"),
    (
        "dedup-item-keys-1",
        """CREATE TABLE dedup_item_keys (
            lookup BIGINT NOT NULL,
            item_id TEXT NOT NULL,
            PRIMARY KEY (lookup, item_id)
        )""",
    ),
    ("dedup-item-keys-2", "CREATE INDEX dedup_item_keys_item ON dedup_item_keys (item_id)"),
    # A feed-local GUID ("1", "2", ...) is shared by every feed that numbers its items, and an
    # exact copy's hash by every copy: index the whole lookup so that each one reads one entry,
    # not every row sharing the first column.
    ("dedup-items-6", "CREATE INDEX dedup_items_guid_feed ON dedup_items (guid, feed)"),
    ("dedup-items-7", "DROP INDEX dedup_items_guid"),
    (
        "dedup-items-8",
        "CREATE INDEX dedup_items_hash_seen ON dedup_items (content_hash, seen_at, id)",
    ),
    ("dedup-items-9", "DROP INDEX dedup_items_hash"),
]


@dataclass(frozen=True, slots=True)
class TextRecord:
    """What is kept of an item's text."""

    content_hash: str
    shingles: int
    sketch: bytes
    keys: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    item_id: str
    shared_keys: int
    shingles: int
    sketch: bytes


class ItemRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def seen(self, feed: str, guid: str | None, url: str | None, guid_global: bool) -> bool:
        """Whether an item with this GUID (in this feed, or any if `guid_global`) or URL exists."""
        if guid is not None:
            if guid_global:
                row = self.db.one("SELECT 1 FROM dedup_items WHERE guid = ? LIMIT 1", (guid,))
            else:
                row = self.db.one(
                    "SELECT 1 FROM dedup_items WHERE guid = ? AND feed = ? LIMIT 1", (guid, feed)
                )
            if row is not None:
                return True
        if url is not None:
            return (
                self.db.one("SELECT 1 FROM dedup_items WHERE url = ? LIMIT 1", (url,)) is not None
            )
        return False

    def add(
        self,
        item_id: str,
        feed: str,
        guid: str | None,
        url: str | None,
        text: TextRecord | None,
        seen_at: int,
    ) -> None:
        """Record an item; a second call for the same id fills in what the first lacked."""
        with self.db.transaction():
            # The pipeline records an article twice (`remember`, then `assign`): when the text
            # is the one already stored, so are its keys, and looking them up again is waste.
            stored = (
                self.db.one("SELECT content_hash, sketch FROM dedup_items WHERE id = ?", (item_id,))
                if text is not None and text.keys
                else None
            )
            self.db.execute(
                """INSERT INTO dedup_items
                       (id, feed, guid, url, content_hash, shingles, sketch, seen_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (id) DO UPDATE SET
                       guid = COALESCE(dedup_items.guid, excluded.guid),
                       url = COALESCE(dedup_items.url, excluded.url),
                       content_hash = COALESCE(excluded.content_hash, dedup_items.content_hash),
                       shingles = CASE WHEN excluded.sketch IS NULL THEN dedup_items.shingles
                                       ELSE excluded.shingles END,
                       sketch = COALESCE(excluded.sketch, dedup_items.sketch)""",
                (
                    item_id,
                    feed,
                    guid,
                    url,
                    text.content_hash if text else None,
                    text.shingles if text else 0,
                    text.sketch if text else None,
                    seen_at,
                ),
            )
            if text is not None and text.keys and not _same_text(stored, text):
                self._add_keys(item_id, text.keys)

    def _add_keys(self, item_id: str, keys: Sequence[int]) -> None:
        marks = ",".join("?" * len(keys))
        full = {
            int(r[0])
            for r in self.db.execute(
                f"SELECT lookup FROM dedup_item_keys WHERE lookup IN ({marks}) "
                "GROUP BY lookup HAVING COUNT(*) >= ?",
                (*keys, KEY_POSTINGS),
            )
        }
        rows = [(k, item_id) for k in keys if k not in full]
        self.db.executemany(
            "INSERT INTO dedup_item_keys (lookup, item_id) VALUES (?, ?) "
            "ON CONFLICT (lookup, item_id) DO NOTHING",
            rows,
        )

    def with_content_hash(self, content_hash: str, exclude: str) -> str | None:
        """The earliest other item whose normalised text is identical."""
        row = self.db.one(
            "SELECT id FROM dedup_items WHERE content_hash = ? AND id <> ? "
            "ORDER BY seen_at, id LIMIT 1",
            (content_hash, exclude),
        )
        return str(row[0]) if row else None

    def candidates(self, keys: Sequence[int], exclude: str) -> list[Candidate]:
        """Items sharing any of `keys`, most shared keys first, at most MAX_CANDIDATES."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        shared = self.db.execute(
            f"SELECT item_id, COUNT(*) FROM dedup_item_keys WHERE lookup IN ({marks}) "
            "AND item_id <> ? GROUP BY item_id ORDER BY COUNT(*) DESC, item_id LIMIT ?",
            (*keys, exclude, MAX_CANDIDATES),
        )
        if not shared:
            return []
        counts = {str(r[0]): int(r[1]) for r in shared}
        marks = ",".join("?" * len(counts))
        rows = self.db.execute(
            f"SELECT id, shingles, sketch FROM dedup_items WHERE id IN ({marks}) "
            "AND sketch IS NOT NULL",
            tuple(counts),
        )
        found = [Candidate(str(r[0]), counts[str(r[0])], int(r[1]), bytes(r[2])) for r in rows]
        return sorted(found, key=lambda c: (-c.shared_keys, c.item_id))

    def delete_older(self, cutoff: int) -> int:
        """Forget items seen before `cutoff`; returns the number of items removed."""
        with self.db.transaction():
            self.db.execute(
                "DELETE FROM dedup_item_keys WHERE item_id IN "
                "(SELECT id FROM dedup_items WHERE seen_at < ?)",
                (cutoff,),
            )
            rows = self.db.execute("SELECT COUNT(*) FROM dedup_items WHERE seen_at < ?", (cutoff,))
            self.db.execute("DELETE FROM dedup_items WHERE seen_at < ?", (cutoff,))
        return int(rows[0][0])

    def count(self) -> int:
        row = self.db.one("SELECT COUNT(*) FROM dedup_items")
        return int(row[0]) if row else 0


def _same_text(stored: Row | None, text: TextRecord) -> bool:
    return (
        stored is not None
        and stored[0] == text.content_hash
        and stored[1] is not None
        and bytes(stored[1]) == text.sketch
    )
