"""Fixtures for the dedup stage: the store on SQLite and on PostgreSQL, a clock, the seeds.

Every test that takes `backend` or `db` runs once per backend. The PostgreSQL runs use a fresh
schema on postgresql://127.0.0.1:5432/test (MONITOR_TEST_POSTGRES overrides) and are skipped,
saying why, when that server is not reachable.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dedup_helpers import Backend, Clock, make_dedup

from monitor.dedup import Deduplicator
from monitor.store.db import Database
from tests import pg


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        b = Backend("sqlite", str(tmp_path / "monitor.sqlite3"))
        yield b
        b.close_all()
        return
    reason = pg.unreachable()
    if reason:
        pytest.skip(reason)
    with pg.fresh_schema() as url:
        b = Backend("postgres", url)
        try:
            yield b
        finally:
            b.close_all()


@pytest.fixture
def db(backend: Backend) -> Database:
    return backend.open()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dedup(db: Database, clock: Clock) -> Deduplicator:
    return make_dedup(db, clock)
