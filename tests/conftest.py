"""Fixtures shared across the suite: real servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from monitor.store import Store, open_store
from tests import pg
from tests.servers.http import FeedServer
from tests.servers.news import publish


@pytest.fixture
def outlets() -> Iterator[FeedServer]:
    """Two outlets (AP and Newsweek) with the seed reports among unrelated stories."""
    with FeedServer() as server:
        publish(server)
        yield server


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The store's URL, once on SQLite and once on a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store') / 'monitor.sqlite3'}"
        return
    reason = pg.unreachable()
    if reason:
        pytest.skip(reason)
    with pg.fresh_schema() as url:
        yield url


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    """An open, migrated store, once on SQLite and once on PostgreSQL."""
    opened = await open_store(store_url)
    try:
        yield opened
    finally:
        await opened.close()
