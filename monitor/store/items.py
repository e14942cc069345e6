"""Items already seen: their GUID, canonical URL and text fingerprints, for deduplication.

    dedup_items      one row per feed entry or article; `seen_at` drives expiry
    dedup_item_keys  lookup keys of an item's text (LSH bands, sentence hashes) -> item

A key shared by more than `KEY_POSTINGS` items is boilerplate, not evidence, so it stops being
recorded; that bounds every lookup whatever the store holds. Timestamps are epoch seconds. The
tables are Alembic's (monitor.store.migrations).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from monitor.store.db import Database

# What rows are read as: cells by position.
Rows = Sequence[Sequence[Any]]

KEY_POSTINGS = 32  # items recorded per lookup key
MAX_CANDIDATES = 64  # items checked per lookup, those sharing most keys first
LOOKUP_CHUNK = 400  # entries asked about per statement (two parameters each at most)


# An item, or what a second sighting of it adds to what the first recorded.
_INSERT = """INSERT INTO dedup_items
        (id, feed, guid, url, content_hash, shingles, sketch, seen_at)
    VALUES (:id, :feed, :guid, :url, :content_hash, :shingles, :sketch, :seen_at)
    ON CONFLICT (id) DO UPDATE SET
        guid = COALESCE(dedup_items.guid, excluded.guid),
        url = COALESCE(dedup_items.url, excluded.url),
        content_hash = COALESCE(excluded.content_hash, dedup_items.content_hash),
        shingles = CASE WHEN excluded.sketch IS NULL THEN dedup_items.shingles
                        ELSE excluded.shingles END,
        sketch = COALESCE(excluded.sketch, dedup_items.sketch)"""


@dataclass(frozen=True, slots=True)
class ItemKey:
    """What identifies a feed entry before its page is read: a GUID (worldwide when
    `guid_global`, else within its feed) and a canonical URL."""

    feed: str
    guid: str | None
    url: str | None
    guid_global: bool


@dataclass(frozen=True, slots=True)
class SeenItem:
    """An item recorded only as seen: no text to look near-duplicates up by."""

    item_id: str
    feed: str
    guid: str | None
    url: str | None
    seen_at: int


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

    async def seen(self, feed: str, guid: str | None, url: str | None, guid_global: bool) -> bool:
        """Whether an item with this GUID (in this feed, or any if `guid_global`) or URL exists."""
        return (await self.seen_many([ItemKey(feed, guid, url, guid_global)]))[0]

    async def seen_many(self, keys: Sequence[ItemKey]) -> list[bool]:
        """`seen` for each key, in one statement per `LOOKUP_CHUNK` keys: a poll asks about all
        of its entries at once."""
        out: list[bool] = []
        for start in range(0, len(keys), LOOKUP_CHUNK):
            chunk = keys[start : start + LOOKUP_CHUNK]
            guids = sorted({k.guid for k in chunk if k.guid is not None})
            urls = sorted({k.url for k in chunk if k.url is not None})
            if not guids and not urls:
                out.extend(False for _ in chunk)
                continue
            # An empty IN list is not valid everywhere: a value no key holds stands in.
            rows = await self.db.execute(
                "SELECT feed, guid, url FROM dedup_items WHERE guid IN :guids OR url IN :urls",
                {"guids": guids or [""], "urls": urls or [""]},
            )
            guid_any = {r[1] for r in rows if r[1] is not None}
            guid_feed = {(r[1], r[0]) for r in rows if r[1] is not None}
            url_any = {r[2] for r in rows if r[2] is not None}
            out.extend(
                (
                    k.guid is not None
                    and (k.guid in guid_any if k.guid_global else (k.guid, k.feed) in guid_feed)
                )
                or (k.url is not None and k.url in url_any)
                for k in chunk
            )
        return out

    async def add_seen(self, items: Sequence[SeenItem]) -> None:
        """Record items that need nothing more than being known (no text), in one statement:
        what a poll's screen turned away."""
        await self.db.executemany(
            _INSERT,
            [
                {
                    "id": i.item_id,
                    "feed": i.feed,
                    "guid": i.guid,
                    "url": i.url,
                    "content_hash": None,
                    "shingles": 0,
                    "sketch": None,
                    "seen_at": i.seen_at,
                }
                for i in items
            ],
        )

    async def add(
        self,
        item_id: str,
        feed: str,
        guid: str | None,
        url: str | None,
        text: TextRecord | None,
        seen_at: int,
    ) -> None:
        """Record an item; a second call for the same id fills in what the first lacked."""
        async with self.db.transaction():
            await self.db.execute(
                _INSERT,
                {
                    "id": item_id,
                    "feed": feed,
                    "guid": guid,
                    "url": url,
                    "content_hash": text.content_hash if text else None,
                    "shingles": text.shingles if text else 0,
                    "sketch": text.sketch if text else None,
                    "seen_at": seen_at,
                },
            )
            if text is not None and text.keys:
                await self._add_keys(item_id, text.keys)

    async def _add_keys(self, item_id: str, keys: Sequence[int]) -> None:
        # One round trip: each key is recorded unless KEY_POSTINGS items have it already.
        await self.db.executemany(
            "INSERT INTO dedup_item_keys (lookup, item_id) SELECT :lookup, :item_id "
            "WHERE (SELECT COUNT(*) FROM dedup_item_keys WHERE lookup = :lookup) < :postings "
            "ON CONFLICT (lookup, item_id) DO NOTHING",
            [{"lookup": k, "item_id": item_id, "postings": KEY_POSTINGS} for k in keys],
        )

    async def with_content_hash(self, content_hash: str, exclude: str) -> str | None:
        """The earliest other item whose normalised text is identical."""
        row = await self.db.one(
            "SELECT id FROM dedup_items WHERE content_hash = :hash AND id <> :exclude "
            "ORDER BY seen_at, id LIMIT 1",
            {"hash": content_hash, "exclude": exclude},
        )
        return str(row[0]) if row else None

    async def candidates(self, keys: Sequence[int], exclude: str) -> list[Candidate]:
        """Items sharing any of `keys`, most shared keys first, at most MAX_CANDIDATES."""
        if not keys:
            return []
        shared: Rows = await self.db.execute(
            "SELECT item_id, COUNT(*) FROM dedup_item_keys WHERE lookup IN :keys "
            "AND item_id <> :exclude GROUP BY item_id ORDER BY COUNT(*) DESC, item_id "
            "LIMIT :limit",
            {"keys": list(keys), "exclude": exclude, "limit": MAX_CANDIDATES},
        )
        if not shared:
            return []
        counts = {str(r[0]): int(r[1]) for r in shared}
        rows: Rows = await self.db.execute(
            "SELECT id, shingles, sketch FROM dedup_items WHERE id IN :ids AND sketch IS NOT NULL",
            {"ids": list(counts)},
        )
        found = [Candidate(str(r[0]), counts[str(r[0])], int(r[1]), bytes(r[2])) for r in rows]
        return sorted(found, key=lambda c: (-c.shared_keys, c.item_id))

    async def delete_older(self, cutoff: int) -> int:
        """Forget items seen before `cutoff`; returns the number of items removed."""
        async with self.db.transaction():
            await self.db.execute(
                "DELETE FROM dedup_item_keys WHERE item_id IN "
                "(SELECT id FROM dedup_items WHERE seen_at < :cutoff)",
                {"cutoff": cutoff},
            )
            removed = await self.db.scalar(
                "SELECT COUNT(*) FROM dedup_items WHERE seen_at < :cutoff", {"cutoff": cutoff}
            )
            await self.db.execute(
                "DELETE FROM dedup_items WHERE seen_at < :cutoff", {"cutoff": cutoff}
            )
        return int(removed)

    async def activity(self, since: int) -> dict[str, tuple[int, int]]:
        """Per feed: items first seen since `since`, and when the latest one was (epoch s)."""
        rows = await self.db.execute(
            "SELECT feed, SUM(CASE WHEN seen_at >= :since THEN 1 ELSE 0 END), MAX(seen_at) "
            "FROM dedup_items GROUP BY feed",
            {"since": since},
        )
        return {str(r[0]): (int(r[1] or 0), int(r[2])) for r in rows}

    async def count(self) -> int:
        return int(await self.db.scalar("SELECT COUNT(*) FROM dedup_items") or 0)
