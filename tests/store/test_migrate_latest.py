"""A store already at the newest revision opens without loading Alembic; others still upgrade."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.errors import StoreError
from monitor.store import open_store
from monitor.store.db import connect
from monitor.store.migrate import LATEST, current, head, upgrade
from tests.running import modules_loaded


def test_latest_is_alembics_head() -> None:
    # A new migration must move LATEST too, else stores at the old head would skip it.
    assert head() == LATEST


async def test_an_up_to_date_store_opens_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = await open_store(url)  # made and brought to the head here
    await store.close()
    opening = (
        "import asyncio\n"
        "from monitor.store import open_store\n"
        "async def main():\n"
        f"    store = await open_store({url!r})\n"
        "    await store.close()\n"
        "asyncio.run(main())\n"
    )
    assert modules_loaded(opening, {"alembic"}) == []


async def test_a_store_behind_the_head_is_still_brought_up_to_date(tmp_path: Path) -> None:
    db = await connect(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    try:
        assert await upgrade(db, "0003") == ["0001", "0002", "0003"]
        assert await upgrade(db) == ["0004"]
        assert await current(db) == LATEST
        assert await upgrade(db) == []
    finally:
        await db.close()


async def test_a_store_error_other_than_a_missing_table_is_said_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = await connect(f"sqlite:///{tmp_path / 'store.sqlite3'}")

    async def broken(sql: str, params: object = None) -> list[object]:
        raise StoreError(f"database {db.where}: disk I/O error")

    monkeypatch.setattr(db, "execute", broken)
    try:
        with pytest.raises(StoreError, match="disk I/O error"):
            await upgrade(db)
    finally:
        monkeypatch.undo()
        await db.close()
