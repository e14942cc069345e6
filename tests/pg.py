"""A throwaway schema on the test PostgreSQL server (postgresql://127.0.0.1:5432/test, or
$MONITOR_TEST_POSTGRES), for running the store's tests on PostgreSQL as well as SQLite."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

PG_URL = os.environ.get("MONITOR_TEST_POSTGRES", "postgresql://127.0.0.1:5432/test")


def unreachable() -> str | None:
    """Why the server cannot be used, or None when it can."""
    try:
        with psycopg.connect(PG_URL, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at {PG_URL} is not reachable ({str(exc).strip()[:120]})"


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A URL whose connections see only a new, empty schema; dropped afterwards."""
    schema = f"test_{secrets.token_hex(6)}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
