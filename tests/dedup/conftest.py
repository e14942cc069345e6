"""Fixtures for the dedup stage: the store on SQLite and on PostgreSQL, a clock, the seeds.

Every test that takes `backend` or `db` runs once per backend. The PostgreSQL runs use a fresh
schema on postgresql://127.0.0.1:5432/test (MONITOR_TEST_POSTGRES overrides) and are skipped,
saying why, when that server is not reachable.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from dedup_helpers import Backend, Clock, make_dedup

from monitor.dedup import Deduplicator
from monitor.store.db import Database

PG_URL = os.environ.get("MONITOR_TEST_POSTGRES", "postgresql://127.0.0.1:5432/test")


def _postgres_unreachable() -> str | None:
    import psycopg

    try:
        with psycopg.connect(PG_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at {PG_URL} is not reachable ({str(exc).strip()[:120]})"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "sqlite":
        b = Backend("sqlite", str(tmp_path / "monitor.sqlite3"))
        yield b
        b.close_all()
        return
    reason = _postgres_unreachable()
    if reason:
        pytest.skip(reason)
    import psycopg

    schema = f"test_{secrets.token_hex(6)}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    b = Backend("postgres", f"{PG_URL}{sep}options=-csearch_path%3D{schema}")
    try:
        yield b
    finally:
        b.close_all()
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def db(backend: Backend) -> Database:
    return backend.open()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dedup(db: Database, clock: Clock) -> Deduplicator:
    return make_dedup(db, clock)
