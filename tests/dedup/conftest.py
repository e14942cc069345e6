"""Fixtures for the dedup stage: stores on SQLite and on PostgreSQL, a clock, the seeds.

Every test that takes `backend`, `store` or `dedup` runs once per backend (the `store_url`
fixture of tests/conftest.py). The PostgreSQL runs use a fresh schema on
postgresql://127.0.0.1:5432/test (MONITOR_TEST_POSTGRES overrides) and are skipped, saying why,
when that server is not reachable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from dedup_helpers import Backend, Clock, make_dedup

from monitor.dedup import Deduplicator
from monitor.store import Store


@pytest.fixture
async def backend(store_url: str) -> AsyncIterator[Backend]:
    opened = Backend(store_url)
    try:
        yield opened
    finally:
        await opened.close_all()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dedup(store: Store, clock: Clock) -> Deduplicator:
    return make_dedup(store, clock)
